"""Amazon Redshift: clusters whose databases are DuckDB files, reached over the Postgres protocol."""
