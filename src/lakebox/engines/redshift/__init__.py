"""Amazon Redshift's SQL engine: Redshift SQL run for real on DuckDB, one DuckDB file per cluster
database (DESIGN D6).

`database.RedshiftDatabase` is the interface the Postgres wire server and the Redshift APIs use;
`translate` turns Redshift SQL into DuckDB SQL, `copy_unload` parses COPY and UNLOAD, `loading` loads
lake files into tables (`load_checks` rejects bad rows, `load_log` keeps them for STL_LOAD_ERRORS and
the other load views, `jsonpaths` reads a JSONPaths file) and `unloading` writes query rows to the lake.
`external_tables` and `spectrum` are Spectrum's DDL and reads over the Glue catalog,
`materialized_views`, `show_commands` and `system_tables` the statements and catalog views DuckDB lacks;
`semantics` gives Redshift's meaning where DuckDB's differs (AVG of integers, SIMILAR TO, ADD_MONTHS ...),
with the session functions of `similar_to`, `datetime_format`, `number_format` and `hashes`;
`datetime_types` writes Redshift's date and time literals as DuckDB reads them (`datetime_input` reads
them) and answers the old ABSTIME type.
Imports duckdb, sqlglot and `lakebox.engines.sql` (the Glue table reader, shared with Athena); the lake
and the Glue catalog are passed in.

`RedshiftError` lives here, below every module of the package, so that each of them can raise it.
"""

from __future__ import annotations


class RedshiftError(Exception):
    """A statement that fails, as the Postgres endpoint reports it: a message and its SQLSTATE
    (42P01 undefined table, 42601 syntax error, 0A000 feature not supported, XX000 internal ...)."""

    def __init__(self, message: str, sqlstate: str = "XX000"):
        super().__init__(message)
        self.message = message
        self.sqlstate = sqlstate
