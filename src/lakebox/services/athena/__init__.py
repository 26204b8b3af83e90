"""Athena: query executions on a worker pool over the SQL engine, workgroups, named queries, prepared
statements, data catalogs and the catalog views of Glue. May import the protocol layer, storage, engines and the
Glue provider's catalog; never the gateway."""
