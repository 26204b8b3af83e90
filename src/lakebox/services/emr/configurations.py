"""What a cluster's Configurations (RunJobFlow's classifications) change for its Spark steps.

EMR applies configuration classifications to the applications on the cluster. Two matter to a
Spark driver here:
- `spark-defaults`: its properties are the cluster's Spark defaults, under each step's own `--conf`;
- `spark-hive-site` (or `hive-site`) naming the Glue client factory as
  `hive.metastore.client.factory.class`: Spark SQL's metastore is the Glue Data Catalog, so table
  names resolve to Glue tables (the launcher's `glue_catalog`).
The rest (yarn-site, spark-env exports ...) shape a real cluster's daemons and do not apply here.
"""

from __future__ import annotations

from typing import Iterator

GLUE_CLIENT_FACTORY = "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory"
METASTORE_CLASSIFICATIONS = ("spark-hive-site", "hive-site")


def _classifications(configurations: list) -> Iterator[dict]:
    for configuration in configurations or []:
        yield configuration
        yield from _classifications(configuration.get("Configurations") or [])


def cluster_configurations(cluster: dict) -> list:
    return (cluster.get("Extra") or {}).get("Configurations") or []


def spark_defaults(cluster: dict) -> dict[str, str]:
    """The `spark-defaults` properties of the cluster's Configurations."""
    found: dict[str, str] = {}
    for configuration in _classifications(cluster_configurations(cluster)):
        if configuration.get("Classification") == "spark-defaults":
            found.update({k: str(v) for k, v in (configuration.get("Properties") or {}).items()})
    return found


def uses_glue_catalog(cluster: dict) -> bool:
    """True when the cluster's Spark uses the Glue Data Catalog as its Hive metastore."""
    return any(c.get("Classification") in METASTORE_CLASSIFICATIONS
               and (c.get("Properties") or {}).get("hive.metastore.client.factory.class") == GLUE_CLIENT_FACTORY
               for c in _classifications(cluster_configurations(cluster)))
