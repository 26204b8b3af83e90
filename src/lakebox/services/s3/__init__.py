"""S3 on the lake folder (DESIGN D2): the provider, split by resource area.

`provider.py` composes the area mixins (buckets, objects, copy, tagging, delete_objects, listing,
multipart, attributes) over one `LakeStore`. `errors.py` is the single table of S3 error codes;
`headers.py`, `conditions.py` and `checksums.py` hold the request-header rules the areas share.
May import the protocol layer (context, errors, http) and storage; never the gateway.
"""
