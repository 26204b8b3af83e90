"""The HTTP gateway: an ASGI app whose requests flow through one ordered chain of small handlers.

route service -> authenticate -> parse -> dispatch -> serialize; errors are rendered last by the
target service's serializer. The chain runs in a worker thread, so providers are synchronous and
the event loop never blocks on storage or an engine (DESIGN D7). May import everything below it.
"""
