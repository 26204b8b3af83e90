"""Grok and XML custom classifiers applied by a crawl, and tags on crawler ARNs, through boto3 against a
running lakebox."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE, columns, crawl, make_s3, put_text
from glue_helpers import REGION, error_of

BUCKET = "my-data-lake"

ACCESS_LOG = (
    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
    '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"\n'
    '10.0.0.7 - - [11/Oct/2000:08:01:02 +0000] "POST /login HTTP/1.1" 302 - "-" "curl/8.0"\n'
)

BOOKS = """<?xml version="1.0"?>
<catalog>
  <book id="bk101"><author>Gambardella, Matthew</author><title>XML Developer's Guide</title>
    <price>44.95</price><tag>xml</tag><tag>dev</tag></book>
  <book id="bk102"><author>Ralls, Kim</author><title>Midnight Rain</title><price>5</price></book>
</catalog>
"""


@pytest.fixture
def s3(lakebox_server):
    client = make_s3(lakebox_server.endpoint_url)
    client.create_bucket(Bucket=BUCKET)
    return client


def _crawler(glue, name, path, **extra):
    glue.create_crawler(Name=name, Role=ROLE, DatabaseName="raw_data", Targets={"S3Targets": [{"Path": path}]},
                        **extra)


def test_grok_classifier_crawl_yields_grok_fields_and_serde(glue, s3):
    put_text(s3, BUCKET, "logs/access/day1.log", ACCESS_LOG)
    glue.create_classifier(GrokClassifier={"Name": "apache", "Classification": "apache-log",
                                           "GrokPattern": "%{COMBINEDAPACHELOG}"})
    _crawler(glue, "logs", f"s3://{BUCKET}/logs/access/", Classifiers=["apache"])
    assert crawl(glue, "logs")["LastCrawl"]["Status"] == "SUCCEEDED"
    table = glue.get_table(DatabaseName="raw_data", Name="access")["Table"]
    assert columns(table) == [(n, "string") for n in (
        "clientip", "ident", "auth", "timestamp", "verb", "request", "httpversion", "rawrequest", "response",
        "bytes", "referrer", "agent")]
    sd = table["StorageDescriptor"]
    assert sd["SerdeInfo"]["SerializationLibrary"] == "com.amazonaws.glue.serde.GrokSerDe"
    assert sd["SerdeInfo"]["Parameters"] == {"input.format": "%{COMBINEDAPACHELOG}"}
    assert sd["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert sd["OutputFormat"] == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    assert table["Parameters"]["classification"] == "apache-log"
    assert table["Parameters"]["recordCount"] == "2"


def test_grok_classifier_with_custom_patterns_and_types(glue, s3):
    put_text(s3, BUCKET, "logs/app/a.log", "2024-01-15T10:00:00Z [job-7] WARN 42 disk nearly full\n"
                                          "2024-01-15T10:00:05Z [job-8] INFO 7 ok\n")
    glue.create_classifier(GrokClassifier={
        "Name": "app", "Classification": "applog", "CustomPatterns": "JOBID job-[0-9]+",
        "GrokPattern": "%{TIMESTAMP_ISO8601:ts} \\[%{JOBID:job}\\] %{LOGLEVEL:level} %{INT:code:int} %{GREEDYDATA:msg}"})
    _crawler(glue, "app", f"s3://{BUCKET}/logs/app/", Classifiers=["app"])
    crawl(glue, "app")
    table = glue.get_table(DatabaseName="raw_data", Name="app")["Table"]
    assert columns(table) == [("ts", "string"), ("job", "string"), ("level", "string"), ("code", "int"),
                              ("msg", "string")]
    assert table["StorageDescriptor"]["SerdeInfo"]["Parameters"]["input.grokCustomPatterns"] == "JOBID job-[0-9]+"


def test_grok_classifier_that_does_not_match_leaves_the_file_to_the_built_ins(glue, s3):
    put_text(s3, BUCKET, "data/people/p.csv", "id,name\n1,ann\n2,bob\n")
    glue.create_classifier(GrokClassifier={"Name": "apache", "Classification": "apache-log",
                                           "GrokPattern": "%{COMBINEDAPACHELOG}"})
    _crawler(glue, "people", f"s3://{BUCKET}/data/people/", Classifiers=["apache"])
    crawl(glue, "people")
    table = glue.get_table(DatabaseName="raw_data", Name="people")["Table"]
    assert table["Parameters"]["classification"] == "csv"


def test_invalid_grok_pattern_is_rejected(glue):
    with pytest.raises(ClientError) as exc:
        glue.create_classifier(GrokClassifier={"Name": "bad", "Classification": "x", "GrokPattern": "%{NOPE:x}"})
    assert error_of(exc)[1] == "InvalidInputException"


def test_xml_classifier_crawl_yields_row_columns(glue, s3):
    put_text(s3, BUCKET, "xml/books/books.xml", BOOKS)
    glue.create_classifier(XMLClassifier={"Name": "books", "Classification": "xml", "RowTag": "book"})
    _crawler(glue, "books", f"s3://{BUCKET}/xml/books/", Classifiers=["books"])
    assert crawl(glue, "books")["LastCrawl"]["Status"] == "SUCCEEDED"
    table = glue.get_table(DatabaseName="raw_data", Name="books")["Table"]
    assert columns(table) == [("_id", "string"), ("author", "string"), ("title", "string"),
                              ("price", "double"), ("tag", "array<string>")]
    sd = table["StorageDescriptor"]
    assert sd["SerdeInfo"]["SerializationLibrary"] == "com.ibm.spss.hive.serde2.xml.XmlSerDe"
    assert sd["SerdeInfo"]["Parameters"]["column.xpath._id"] == "/book/@id"
    assert sd["SerdeInfo"]["Parameters"]["column.xpath.tag"] == "/book/tag/text()"
    assert sd["InputFormat"] == "com.ibm.spss.hive.serde2.xml.XmlInputFormat"
    assert sd["OutputFormat"] == "org.apache.hadoop.hive.ql.io.IgnoreKeyTextOutputFormat"
    assert table["Parameters"]["classification"] == "xml"
    assert table["Parameters"]["recordCount"] == "2"


# -- tags on crawler ARNs -------------------------------------------------------------------------------

def _crawler_arn(glue, name: str) -> str:
    # The account lakebox answers for: read it back from a resource lakebox itself names.
    glue.create_database(DatabaseInput={"Name": "arn_probe"})
    account = glue.get_database(Name="arn_probe")["Database"]["CatalogId"]
    return f"arn:aws:glue:{REGION}:{account}:crawler/{name}"


def test_tags_on_a_crawler_arn_round_trip(glue):
    _crawler(glue, "Tagged", f"s3://{BUCKET}/x/", Tags={"team": "data"})
    arn = _crawler_arn(glue, "Tagged")
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"team": "data"}
    glue.tag_resource(ResourceArn=arn, TagsToAdd={"env": "dev", "team": "lake"})
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"env": "dev", "team": "lake"}
    assert glue.list_crawlers(Tags={"env": "dev"})["CrawlerNames"] == ["Tagged"]
    glue.untag_resource(ResourceArn=arn, TagsToRemove=["team"])
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"env": "dev"}


def test_tags_on_an_unknown_crawler_arn_raise_entity_not_found(glue):
    arn = _crawler_arn(glue, "ghost")
    for call in (lambda: glue.get_tags(ResourceArn=arn),
                 lambda: glue.tag_resource(ResourceArn=arn, TagsToAdd={"a": "b"}),
                 lambda: glue.untag_resource(ResourceArn=arn, TagsToRemove=["a"])):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[1] == "EntityNotFoundException"


def test_crawler_tags_are_forgotten_with_the_crawler(glue):
    _crawler(glue, "gone", f"s3://{BUCKET}/x/", Tags={"team": "data"})
    arn = _crawler_arn(glue, "gone")
    glue.delete_crawler(Name="gone")
    _crawler(glue, "gone", f"s3://{BUCKET}/x/")
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {}
