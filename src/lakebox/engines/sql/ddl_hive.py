"""Hive storage formats and column types as Athena writes them into the Glue catalog.

Data only, plus the functions that turn a parsed CREATE EXTERNAL TABLE into a Glue `TableInput`.
Imports sqlglot's expression types, nothing of lakebox.
"""

from __future__ import annotations

from typing import Optional

from sqlglot import exp

LAZY_SIMPLE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

#: STORED AS <format>: (InputFormat, OutputFormat, SerDe Athena picks when there is no ROW FORMAT).
STORED_AS = {
    "PARQUET": ("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
    "ORC": ("org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
            "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
            "org.apache.hadoop.hive.ql.io.orc.OrcSerde"),
    "AVRO": ("org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
             "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
             "org.apache.hadoop.hive.serde2.avro.AvroSerDe"),
    "TEXTFILE": (TEXT_INPUT, TEXT_OUTPUT, LAZY_SIMPLE),
    "SEQUENCEFILE": ("org.apache.hadoop.mapred.SequenceFileInputFormat",
                     "org.apache.hadoop.hive.ql.io.HiveSequenceFileOutputFormat", LAZY_SIMPLE),
    "RCFILE": ("org.apache.hadoop.hive.ql.io.RCFileInputFormat",
               "org.apache.hadoop.hive.ql.io.RCFileOutputFormat",
               "org.apache.hadoop.hive.serde2.columnar.LazyBinaryColumnarSerDe"),
    "ION": ("com.amazon.ionhiveserde.formats.IonInputFormat",
            "com.amazon.ionhiveserde.formats.IonOutputFormat",
            "com.amazon.ionhiveserde.IonHiveSerDe"),
}

#: SerDes whose tables Athena gives another OutputFormat when the DDL has no STORED AS: the OpenX JSON
#: SerDe's get Hive's plain IgnoreKeyTextOutputFormat, as Athena's JSON examples spell it.
SERDE_DEFAULT_OUTPUT = {"org.openx.data.jsonserde.JsonSerDe": "org.apache.hadoop.hive.ql.io.IgnoreKeyTextOutputFormat"}

#: ROW FORMAT DELIMITED clause -> LazySimpleSerDe parameter. (Hive spells the collection one
#: "colelction.delim"; Athena's Glue entries carry "collection.delim".)
DELIMITERS = {"fields": "field.delim", "escaped": "escape.delim", "collection_items": "collection.delim",
              "map_keys": "mapkey.delim", "lines": "line.delim", "null": "serialization.null.format"}


class TableFormatError(ValueError):
    """A CREATE TABLE whose storage clauses cannot be written to the catalog."""


def hive_type(kind: exp.DataType) -> str:
    """The type string Athena stores in Glue: lower case Hive, `decimal(10,2)`, `struct<a:int>`."""
    return kind.sql(dialect="hive").lower().replace(" ", "")


def column(defn: exp.ColumnDef) -> dict:
    col = {"Name": defn.name.lower(), "Type": hive_type(defn.args["kind"])}
    for constraint in defn.args.get("constraints") or []:
        if isinstance(constraint.kind, exp.CommentColumnConstraint):
            col["Comment"] = constraint.kind.this.name
    return col


def _literal(node: Optional[exp.Expression]) -> Optional[str]:
    return None if node is None else node.name


def _props(node: Optional[exp.Expression]) -> dict:
    if node is None:
        return {}
    return {p.name: p.text("value") if not isinstance(p.args.get("value"), exp.Literal) else p.args["value"].name
            for p in node.expressions}


def storage(properties: list[exp.Expression]) -> tuple[str, str, dict]:
    """(InputFormat, OutputFormat, SerdeInfo) for the table's ROW FORMAT and STORED AS clauses."""
    input_format, output_format, serde = STORED_AS["TEXTFILE"]
    serde_params: dict = {}
    explicit_serde = None
    delimited = None
    stored_as = False
    for prop in properties:
        if isinstance(prop, exp.FileFormatProperty):
            stored_as = True
            fmt = prop.this
            if isinstance(fmt, exp.InputOutputFormat):
                input_format = fmt.args["input_format"].name
                output_format = fmt.args["output_format"].name
                serde = LAZY_SIMPLE
            else:
                name = fmt.name.upper() if fmt is not None else ""
                if name not in STORED_AS:
                    raise TableFormatError(f"STORED AS {name} is not a format Athena knows")
                input_format, output_format, serde = STORED_AS[name]
        elif isinstance(prop, exp.RowFormatSerdeProperty):
            explicit_serde = prop.this.name
            serde_params.update(_props(prop.args.get("serde_properties")))
        elif isinstance(prop, exp.RowFormatDelimitedProperty):
            delimited = prop
    if explicit_serde:
        serde = explicit_serde
        if not stored_as:
            output_format = SERDE_DEFAULT_OUTPUT.get(serde, output_format)
    elif delimited is not None:
        serde = LAZY_SIMPLE
        for arg, param in DELIMITERS.items():
            value = _literal(delimited.args.get(arg))
            if value is not None:
                serde_params[param] = value
        if "field.delim" in serde_params:
            serde_params.setdefault("serialization.format", serde_params["field.delim"])
    if serde in (LAZY_SIMPLE, STORED_AS["PARQUET"][2]) or serde == STORED_AS["TEXTFILE"][2]:
        serde_params.setdefault("serialization.format", "1")
    return input_format, output_format, {"SerializationLibrary": serde, "Parameters": serde_params}
