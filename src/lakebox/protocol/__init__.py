"""The AWS wire protocols, driven by botocore's service models (DESIGN D1).

One parser and one serializer per protocol (rest-xml, json, query), picked by a factory from the
model's metadata. Service quirks live in subclasses (S3). May import botocore and the standard
library only; never a service or the gateway.
"""
