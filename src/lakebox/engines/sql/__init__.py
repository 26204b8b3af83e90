"""The SQL engine: Athena (Trino) SQL and Hive DDL over the Glue catalog and the lake, on DuckDB."""
