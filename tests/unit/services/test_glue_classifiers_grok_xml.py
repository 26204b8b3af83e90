"""The Grok compiler and the XML row inference behind the crawler's custom classifiers, one rule a test,
and both applied to small files through classify_file."""

from __future__ import annotations

import gzip
import os

import pytest

from lakebox.services.glue.crawler_classify import classify_file
from lakebox.services.glue.crawler_grok import (
    GrokError,
    compile_grok,
    parse_custom_patterns,
)
from lakebox.services.glue.crawler_xml import xml_rows

APACHE = ('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
          '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"')


# -- Grok: one line per built-in pattern --------------------------------------------------------------

@pytest.mark.parametrize("pattern, text", [
    ("WORD", "hello_1"),
    ("NOTSPACE", "a/b:c"),
    ("DATA", "anything at all"),
    ("GREEDYDATA", "anything at all"),
    ("INT", "-42"),
    ("NUMBER", "3.25"),
    ("BASE10NUM", "+7"),
    ("POSINT", "8080"),
    ("IPV4", "192.168.0.10"),
    ("IPV6", "fe80::1ff:fe23:4567:890a"),
    ("IP", "10.1.2.3"),
    ("HOSTNAME", "www.example.com"),
    ("IPORHOST", "db-1.internal"),
    ("USERNAME", "jane.doe"),
    ("URIPATH", "/a/b/c.html"),
    ("URIPATHPARAM", "/search?q=lake&page=2"),
    ("URI", "https://user@example.com:8443/a?b=c"),
    ("TIMESTAMP_ISO8601", "2024-01-15T10:00:00.123Z"),
    ("TIMESTAMP_ISO8601", "2024-01-15 10:00:00+02:00"),
    ("HTTPDATE", "10/Oct/2000:13:55:36 -0700"),
    ("SYSLOGTIMESTAMP", "Jan  5 08:01:02"),
    ("LOGLEVEL", "WARNING"),
    ("LOGLEVEL", "info"),
    ("QUOTEDSTRING", '"say \\"hi\\""'),
    ("UUID", "123e4567-e89b-12d3-a456-426614174000"),
    ("MAC", "00:1a:2b:3c:4d:5e"),
    ("MONTH", "September"),
    ("DAY", "Tue"),
])
def test_builtin_pattern_matches_whole_example(pattern, text):
    grok = compile_grok(f"^%{{{pattern}:v}}$")
    assert grok.match(text) == {"v": text}


@pytest.mark.parametrize("pattern, text", [
    ("INT", "4x2"), ("IPV4", "256.1.1.1"), ("LOGLEVEL", "LOUD"), ("HTTPDATE", "2024-01-15"),
    ("TIMESTAMP_ISO8601", "15/01/2024"), ("POSINT", "0"),
])
def test_builtin_pattern_rejects_non_example(pattern, text):
    assert compile_grok(f"^%{{{pattern}:v}}$").match(text) is None


def test_combined_apache_log_yields_its_fields_in_order():
    grok = compile_grok("%{COMBINEDAPACHELOG}")
    fields = grok.match(APACHE)
    assert [c["Name"] for c in grok.columns()] == [
        "clientip", "ident", "auth", "timestamp", "verb", "request", "httpversion", "rawrequest", "response",
        "bytes", "referrer", "agent"]
    assert fields["clientip"] == "127.0.0.1" and fields["verb"] == "GET" and fields["bytes"] == "2326"
    assert fields["rawrequest"] is None


@pytest.mark.parametrize("grok_type, glue_type", [
    ("int", "int"), ("long", "bigint"), ("float", "float"), ("double", "double"), ("string", "string"),
    ("boolean", "boolean"), ("short", "smallint"), ("byte", "tinyint"),
])
def test_field_type_maps_to_glue_type(grok_type, glue_type):
    assert compile_grok(f"%{{INT:n:{grok_type}}}").columns() == [{"Name": "n", "Type": glue_type}]


def test_untyped_field_is_string():
    assert compile_grok("%{INT:n}").columns() == [{"Name": "n", "Type": "string"}]


def test_unknown_type_is_an_error():
    with pytest.raises(GrokError, match="type"):
        compile_grok("%{INT:n:integer}")


def test_unknown_pattern_is_an_error():
    with pytest.raises(GrokError, match="NOPE"):
        compile_grok("%{NOPE:x}")


def test_custom_patterns_are_one_name_and_regex_a_line():
    assert parse_custom_patterns("# ids\nMYID id-[0-9]+\n\nLVL (?:A|B)\n") == {"MYID": "id-[0-9]+", "LVL": "(?:A|B)"}


def test_custom_pattern_is_usable_and_may_use_builtins():
    grok = compile_grok("%{REQ:req} %{MYID:id}", "MYID id-[0-9]+\nREQ %{WORD}/%{INT}")
    assert grok.match("GET/200 id-17") == {"req": "GET/200", "id": "id-17"}


def test_custom_pattern_overrides_a_builtin():
    grok = compile_grok("^%{WORD:w}$", "WORD [a-z]+")
    assert grok.match("abc") == {"w": "abc"} and grok.match("ABC") is None


def test_self_referring_custom_pattern_is_an_error():
    with pytest.raises(GrokError, match="itself"):
        compile_grok("%{A}", "A x%{B}\nB y%{A}")


def test_named_regex_group_in_custom_pattern_is_a_string_field():
    grok = compile_grok("%{PAIR}", "PAIR (?<key>\\w+)=%{INT:value:int}")
    assert grok.match("a=1") == {"key": "a", "value": "1"}
    assert grok.columns() == [{"Name": "key", "Type": "string"}, {"Name": "value", "Type": "int"}]


def test_bad_custom_pattern_line_is_an_error():
    with pytest.raises(GrokError):
        parse_custom_patterns("lonely")


def test_bad_regex_is_an_error():
    with pytest.raises(GrokError, match="regular expression"):
        compile_grok("%{WORD:w} (unclosed")


# -- XML rows -------------------------------------------------------------------------------------------

def _fields(text: str, tag: str = "row") -> dict:
    rows = xml_rows(text, tag)
    return dict(rows.fields) if rows else None


def test_xml_child_elements_are_columns_with_json_like_types():
    doc = "<rows><row><id>1</id><price>2.5</price><ok>true</ok><name>a</name></row></rows>"
    assert _fields(doc) == {"id": "bigint", "price": "double", "ok": "boolean", "name": "string"}


def test_xml_attributes_are_underscore_columns():
    rows = xml_rows('<rows><row id="7" kind="x"></row></rows>', "row")
    assert dict(rows.fields) == {"_id": "bigint", "_kind": "string"}
    assert rows.attributes == {"_id", "_kind"}


def test_xml_types_widen_across_rows():
    doc = "<r><row><a>1</a></row><row><a>1.5</a><b>x</b></row></r>"
    assert _fields(doc) == {"a": "double", "b": "string"}


def test_xml_nested_element_is_a_struct():
    doc = "<r><row><addr><city>Oslo</city><zip>150</zip></addr></row></r>"
    assert _fields(doc) == {"addr": ("struct", [("city", "string"), ("zip", "bigint")])}


def test_xml_repeated_element_is_an_array():
    doc = "<r><row><tag>a</tag><tag>b</tag><item><n>1</n></item><item><n>2</n></item></row></r>"
    assert _fields(doc) == {"tag": ("array", "string"), "item": ("array", ("struct", [("n", "bigint")]))}


def test_xml_element_with_attribute_and_text_has_value_field():
    doc = '<r><row><price currency="EUR">3</price></row></r>'
    assert _fields(doc) == {"price": ("struct", [("_currency", "string"), ("_value", "bigint")])}


def test_xml_self_closing_row_is_not_a_record():
    assert xml_rows('<r><row a="1"/></r>', "row") is None
    rows = xml_rows('<r><row a="1"/><row a="2"></row></r>', "row")
    assert rows.record_count == 1


def test_xml_without_the_row_tag_is_none():
    assert xml_rows("<r><item><a>1</a></item></r>", "row") is None


def test_xml_not_xml_is_none():
    assert xml_rows("id,name\n1,a\n", "row") is None


def test_xml_sample_cut_mid_document_keeps_complete_rows():
    doc = "<r><row><a>1</a></row><row><a>2</a></row><row><a>"
    rows = xml_rows(doc, "row")
    assert rows.record_count == 2 and dict(rows.fields) == {"a": "bigint"}


def test_xml_namespaced_row_tag_matches_local_name():
    doc = '<r xmlns="urn:x"><row><a>1</a></row></r>'
    assert _fields(doc) == {"a": "bigint"}


# -- applied through classify_file ----------------------------------------------------------------------

def _classify(tmp_path, name, data: bytes, classifiers):
    path = tmp_path / name
    path.write_bytes(data)
    return classify_file(str(path), os.path.getsize(path), classifiers)


GROK = ("GrokClassifier", {"Name": "apache", "Classification": "apache-log", "GrokPattern": "%{COMBINEDAPACHELOG}"})
XML = ("XMLClassifier", {"Name": "books", "Classification": "xml", "RowTag": "book"})


def test_grok_classifier_writes_grok_serde_and_its_classification(tmp_path):
    schema = _classify(tmp_path, "access.log", ((APACHE + "\n") * 3).encode(), [GROK])
    assert schema.classification == "apache-log"
    assert schema.serde == {"SerializationLibrary": "com.amazonaws.glue.serde.GrokSerDe",
                            "Parameters": {"input.format": "%{COMBINEDAPACHELOG}"}}
    assert schema.input_format == "org.apache.hadoop.mapred.TextInputFormat"
    assert schema.output_format == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    assert schema.parameters["classification"] == "apache-log" and schema.record_count == 3


def test_grok_classifier_records_custom_patterns(tmp_path):
    spec = {"Name": "g", "Classification": "applog", "GrokPattern": "%{MYID:id:int} %{GREEDYDATA:msg}",
            "CustomPatterns": "MYID [0-9]+"}
    schema = _classify(tmp_path, "a.log", b"1 one\n2 two\n", [("GrokClassifier", spec)])
    assert schema.columns == [{"Name": "id", "Type": "int"}, {"Name": "msg", "Type": "string"}]
    assert schema.serde["Parameters"]["input.grokCustomPatterns"] == "MYID [0-9]+"


def test_grok_classifier_passes_a_file_whose_lines_do_not_all_match(tmp_path):
    data = (APACHE + "\nnot an access log line\n").encode()
    schema = _classify(tmp_path, "mixed.log", data, [GROK])
    assert schema is None or schema.classification != "apache-log"


def test_grok_classifier_reads_gzip(tmp_path):
    schema = _classify(tmp_path, "access.log.gz", gzip.compress((APACHE + "\n").encode()), [GROK])
    assert schema.classification == "apache-log" and schema.compression == "gzip"


def test_xml_classifier_writes_xml_serde_and_xpaths(tmp_path):
    doc = b'<?xml version="1.0"?><catalog><book id="bk1"><title>T</title><price>9.5</price></book></catalog>'
    schema = _classify(tmp_path, "books.xml", doc, [XML])
    assert schema.classification == "xml"
    assert schema.columns == [{"Name": "_id", "Type": "string"}, {"Name": "title", "Type": "string"},
                              {"Name": "price", "Type": "double"}]
    assert schema.serde == {"SerializationLibrary": "com.ibm.spss.hive.serde2.xml.XmlSerDe", "Parameters": {
        "column.xpath._id": "/book/@id", "column.xpath.title": "/book/title/text()",
        "column.xpath.price": "/book/price/text()"}}
    assert schema.input_format == "com.ibm.spss.hive.serde2.xml.XmlInputFormat"
    assert schema.output_format == "org.apache.hadoop.hive.ql.io.IgnoreKeyTextOutputFormat"
    assert schema.parameters["xmlinput.start"] == "<book " and schema.parameters["xmlinput.end"] == "</book>"
    assert schema.parameters["rowTag"] == "book"


def test_xml_classifier_passes_a_file_without_its_rows_to_the_built_ins(tmp_path):
    schema = _classify(tmp_path, "a.json", b'{"a": 1}\n', [XML])
    assert schema.classification == "json"


def test_custom_classifiers_are_tried_in_order(tmp_path):
    doc = b"<catalog><book><title>T</title></book></catalog>"
    grok_any = ("GrokClassifier", {"Name": "any", "Classification": "anything", "GrokPattern": "%{GREEDYDATA:line}"})
    assert _classify(tmp_path, "b.xml", doc, [XML, grok_any]).classification == "xml"
    assert _classify(tmp_path, "b.xml", doc, [grok_any, XML]).classification == "anything"
