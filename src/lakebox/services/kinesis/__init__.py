"""Kinesis Data Streams: streams of shards kept as durable append-only logs (DESIGN D5).

`provider.py` is thin; the operations live in modules by resource area (streams, records,
resharding, settings, consumers), the numbers AWS defines in `model.py`, the state in `store.py`,
and the input checks Kinesis makes beyond the generic model validation in `input_checks.py`.
May import the protocol layer and storage; never the gateway.
"""
