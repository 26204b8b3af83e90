"""The rewriting of Redshift's CREATE EXTERNAL TABLE into the Hive DDL the catalog runs: column types
as Redshift writes them to Glue, and TABLE PROPERTIES."""

from __future__ import annotations

import pytest

from lakebox.engines.redshift import RedshiftError
from lakebox.engines.redshift.external_tables import _hive_columns, _table_properties_as_hive, hive_type


@pytest.mark.parametrize("redshift, hive", [
    ("integer", "int"), ("int4", "int"), ("int", "int"), ("int8", "bigint"), ("bigint", "bigint"),
    ("int2", "smallint"), ("smallint", "smallint"), ("real", "float"), ("float4", "float"),
    ("double precision", "double"), ("float8", "double"), ("float", "double"), ("bool", "boolean"),
    ("boolean", "boolean"), ("character varying(20)", "varchar(20)"), ("varchar(65535)", "varchar(65535)"),
    ("varchar", "varchar(256)"), ("text", "varchar(256)"), ("char(10)", "char(10)"), ("character(3)", "char(3)"),
    ("char", "char(1)"), ("numeric(8,2)", "decimal(8,2)"), ("decimal(38, 10)", "decimal(38,10)"),
    ("decimal", "decimal(18,0)"), ("date", "date"), ("timestamp", "timestamp"),
    ("timestamp without time zone", "timestamp"), ("timestamptz", "timestamp"),
])
def test_redshift_types_become_the_hive_types_redshift_writes_to_glue(redshift, hive):
    assert hive_type(redshift) == hive


def test_an_unknown_type_is_42704():
    with pytest.raises(RedshiftError) as error:
        hive_type("notatype(")
    assert error.value.sqlstate == "42704"


def test_column_lists_are_rewritten_and_the_rest_is_kept():
    text = ("(id integer, \"Mixed\" double precision, note varchar) partitioned by (day char(10), hr int2) "
            "row format delimited fields terminated by '|' location 's3://b/p/' "
            "table properties ('numRows'='5', 'note'='table properties (x integer)')")
    hive = _table_properties_as_hive(_hive_columns(text))
    assert hive == ("(id int, `Mixed` double, note varchar(256)) partitioned by (day char(10), hr smallint) "
                    "row format delimited fields terminated by '|' location 's3://b/p/' "
                    "TBLPROPERTIES ('numRows'='5', 'note'='table properties (x integer)')")
