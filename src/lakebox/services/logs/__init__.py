"""CloudWatch Logs (json protocol): log groups, streams and events in one SQLite database.

`provider.py` composes `groups.py` (groups, streams, retention, tags), `events.py` (PutLogEvents,
GetLogEvents, FilterLogEvents), `metric_filters.py`, `query_definitions.py`, `resource_policies.py`,
`exports.py` (export tasks, which write to the S3 lake), `deliveries.py` (vended-log delivery sources,
destinations and deliveries, kept as configuration; `delivery_catalog.py` holds their defaults) and
`subscriptions.py` (subscription filters, whose events `subscription_delivery.py` puts on Kinesis
streams through the Kinesis provider) over one `LogsStore` (`store.py`).
Logs Insights queries: `insights.py` (the four query operations and their worker threads) over
`insights_store.py` (query records in their own `insights.db`), `insights_language.py` (the query
language's parser), `insights_sql.py` (its translation to DuckDB SQL) and `insights_runner.py`
(events into DuckDB, rows out); the query engine is the one `engines.sql.engine.connect` opens.
`input_errors.py` words the input errors CloudWatch Logs answers in its own way.
`ingest.py` holds PutLogEvents' batch rules and `filter_pattern.py` (with `space_delimited.py`) the
filter pattern language, all free of state. Other lakebox services log through
`LogsProvider.write_events` (Glue crawlers write to `/aws-glue/crawlers`).
May import the protocol layer (context, errors, validation), storage (the lake, for exports) and the SQL
engine's connection (for Insights queries); never the gateway.
"""
