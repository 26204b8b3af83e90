"""lakebox's implementation of AWS Glue's `awsglue` library, on plain PySpark.

Glue ETL scripts run unchanged on lakebox: `from awsglue.context import GlueContext`,
`from awsglue.transforms import *`, `from awsglue.utils import getResolvedOptions`,
`from awsglue.job import Job`. Written from AWS's documentation of the library's public API; where a
feature needs a service lakebox does not run inside a job, it fails with a NotImplementedError that
names what is missing. May import the standard library, pyspark and boto3 only.
"""

from .dynamicframe import DynamicFrame

__all__ = ["DynamicFrame"]
