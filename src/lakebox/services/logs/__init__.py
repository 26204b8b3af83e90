"""CloudWatch Logs (json protocol): log groups, streams and events in one SQLite database.

`provider.py` composes `groups.py` (groups, streams, retention, tags) and `events.py` (PutLogEvents,
GetLogEvents, FilterLogEvents) over one `LogsStore` (`store.py`). `ingest.py` holds PutLogEvents'
batch rules and `filter_pattern.py` the filter pattern language, both free of state. Other lakebox
services log through `LogsProvider.write_events` (Glue crawlers write to `/aws-glue/crawlers`).
May import the protocol layer (context, errors); never the gateway.
"""
