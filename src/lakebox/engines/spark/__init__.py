"""Apache Spark for Glue ETL jobs and EMR steps (DESIGN D4): drivers started with pyspark's spark-submit.

May import the standard library and pyspark only (never services or the gateway). The services
build a `SparkApp`, start it with a `SparkLauncher` and watch the `SparkProcess`; `lake_conf` maps
`s3://` paths onto the lake folder for any SparkSession. `glue_lib/` holds lakebox's `awsglue`
package, which a Glue job's driver imports.
"""

from .java_runtime import SparkUnavailable, status, unavailable_reason
from .lake_filesystem import lake_conf
from .launcher import NO_OUTPUT, SparkApp, SparkLauncher, SparkProcess, error_summary, kill_orphan, tail_text

__all__ = ["NO_OUTPUT", "SparkApp", "SparkLauncher", "SparkProcess", "SparkUnavailable", "error_summary", "kill_orphan", "lake_conf",
           "status", "tail_text", "unavailable_reason"]
