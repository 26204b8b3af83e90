"""Glue: the Data Catalog (databases, tables with versions, partitions, indexes, column statistics,
functions, connections, tags), persisted in SQLite under `<data>/.lakebox/glue/catalog.db`.

`provider.py` composes one mixin per resource area; `store.py` owns the database file. Modules here
may import the protocol layer (AwsError, the context) and the standard library; never the gateway.
"""
