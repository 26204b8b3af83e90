"""Run at the start of every Python that lakebox starts for a Glue job or an EMR step.

It only acts when the launcher set LAKEBOX_GLUE_CATALOG=1 (the Glue Data Catalog is the job's
metastore): then Spark SQL's table names fall back to the Glue catalog (lakebox_glue_catalog.py).
Importing pyspark is deferred to that case, so plain Python drivers pay nothing.
"""

import os

if os.environ.get("LAKEBOX_GLUE_CATALOG") == "1":
    try:
        import lakebox_glue_catalog

        lakebox_glue_catalog.install()
    except ImportError:  # pyspark missing: a Python shell job, which has no Spark SQL to patch
        pass
