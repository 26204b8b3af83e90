"""CloudWatch Logs (json protocol): log groups, streams and events in one SQLite database.

`provider.py` composes `groups.py` (groups, streams, retention, tags), `events.py` (PutLogEvents,
GetLogEvents, FilterLogEvents), `metric_filters.py`, `query_definitions.py`, `resource_policies.py`
and `exports.py` (export tasks, which write to the S3 lake) over one `LogsStore` (`store.py`).
`input_errors.py` words the input errors CloudWatch Logs answers in its own way.
`ingest.py` holds PutLogEvents' batch rules and `filter_pattern.py` (with `space_delimited.py`) the
filter pattern language, all free of state. Other lakebox services log through
`LogsProvider.write_events` (Glue crawlers write to `/aws-glue/crawlers`).
May import the protocol layer (context, errors, validation) and storage (the lake, for exports); never the gateway.
"""
