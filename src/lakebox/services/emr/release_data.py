"""The Amazon EMR releases and the application versions each one ships, as a data table.

It lists every release from emr-4.0.0 to emr-7.14.0. Versions are the concise ones DescribeReleaseLabel
answers (the `-amzn-N` build suffix dropped, and Livy's `-incubating`). Sources, all AWS's:
- emr-4.0.0 to emr-6.5.0: the Amazon EMR Release Guide ("Application versions in Amazon EMR 4.x / 5.x /
  6.x releases") as archived by AWS in the public awsdocs/amazon-emr-release-guide repository.
- emr-6.6.0 to emr-7.14.0: the current Amazon EMR Release Guide (docs.aws.amazon.com and
  docs.amazonaws.cn, English and translated copies): each release's "application versions" table (that
  release and the three before it), "Application versions in Amazon EMR 7.x releases", and the
  per-application release histories (Hudi, Iceberg, Hadoop, HCatalog, Hive, Presto, Spark, Tez,
  Zeppelin, ZooKeeper); the Presto page for emr-6.14.0. Where none of those showed Spark, Hive or Tez
  for a release, the EMR Serverless page of the same release label gave them.
A version none of those pages showed for a release is left out (`App=?`) rather than guessed; so the
later releases list fewer applications than they ship. `releases.py` treats a label the table does not
list as valid but unknown.

The table is a delta encoding, oldest release first: each release names only the applications whose
version changed from the release before it in version order, `App=-` for one it no longer ships and
`App=?` for one whose version for this release the sources did not show.
"""

from __future__ import annotations

import functools
from typing import Optional

_TABLE = """
emr-4.0.0 Hadoop=2.6.0 Hive=1.0.0 Mahout=0.10.0 Pig=0.14.0 Spark=1.4.1
emr-4.1.0 Hue=3.7.1 Mahout=0.11.0 Oozie-Sandbox=4.0.1 Presto-Sandbox=0.119 Spark=1.5.0
    Zeppelin-Sandbox=0.6.0-SNAPSHOT
emr-4.2.0 Ganglia=3.6.0 Oozie-Sandbox=4.2.0 Presto-Sandbox=0.125 Spark=1.5.2 Zeppelin-Sandbox=0.5.5
emr-4.3.0 Ganglia=3.7.2 Hadoop=2.7.1 Presto-Sandbox=0.130 Spark=1.6.0
emr-4.4.0 HCatalog=1.0.0 Mahout=0.11.1 Presto-Sandbox=0.136 Sqoop-Sandbox=1.4.6 Zeppelin-Sandbox=0.5.6
emr-4.5.0 Hadoop=2.7.2 Presto-Sandbox=0.140 Spark=1.6.1
emr-4.6.0 HBase=1.2.0 Presto-Sandbox=0.143 ZooKeeper-Sandbox=3.4.8
emr-4.7.0 HBase=1.2.1 Mahout=0.12.0 Phoenix=4.7.0 Presto-Sandbox=0.147 Tez=0.8.3
emr-4.7.1
emr-4.7.2 Mahout=0.12.2 Presto-Sandbox=0.148 Spark=1.6.2
emr-4.7.4
emr-4.8.0 HBase=1.2.2 Presto-Sandbox=0.151 Tez=0.8.4 Zeppelin-Sandbox=0.6.1
emr-4.8.2 Hadoop=2.7.3 Presto-Sandbox=0.152.3
emr-4.8.3 Presto-Sandbox=0.157.1 Spark=1.6.3 ZooKeeper-Sandbox=3.4.9
emr-4.8.4
emr-4.8.5
emr-4.9.1
emr-4.9.2
emr-4.9.3
emr-4.9.4
emr-4.9.5
emr-4.9.6
emr-5.0.0 Hadoop=2.7.2 HCatalog=2.1.0 Hive=2.1.0 Hue=3.10.0 Oozie=4.2.0 Oozie-Sandbox=- Pig=0.16.0 Presto=0.150
    Presto-Sandbox=- Spark=2.0.0 Sqoop=1.4.6 Sqoop-Sandbox=- Zeppelin=0.6.1 Zeppelin-Sandbox=- ZooKeeper=3.4.8
    ZooKeeper-Sandbox=-
emr-5.0.3 Hadoop=2.7.3 Presto=0.152.3 Spark=2.0.1
emr-5.1.0 Flink=1.1.3 HBase=1.2.3 Zeppelin=0.6.2
emr-5.1.1
emr-5.2.0 Spark=2.0.2
emr-5.2.1 Presto=0.157.1 ZooKeeper=3.4.9
emr-5.2.2
emr-5.2.3
emr-5.3.0 Flink=1.1.4 HCatalog=2.1.1 Hive=2.1.1 Hue=3.11.0 Oozie=4.3.0 Spark=2.1.0
emr-5.3.1
emr-5.3.2
emr-5.4.0 Flink=1.2.0 HBase=1.3.0 Phoenix=4.9.0 Presto=0.166 Zeppelin=0.7.0
emr-5.4.1
emr-5.5.0 Hue=3.12.0 Presto=0.170 Zeppelin=0.7.1 ZooKeeper=3.4.10
emr-5.5.1
emr-5.5.2
emr-5.5.3
emr-5.5.4
emr-5.6.0 Flink=1.2.1 Mahout=0.13.0 Spark=2.1.1
emr-5.6.1
emr-5.7.0 Flink=1.3.0 HBase=1.3.1 Phoenix=4.11.0 Zeppelin=0.7.2
emr-5.7.1
emr-5.8.0 Flink=1.3.1 HCatalog=2.3.0 Hive=2.3.0 Spark=2.2.0
emr-5.8.1
emr-5.8.2
emr-5.8.3
emr-5.9.0 Flink=1.3.2 Hue=4.0.1 Livy=0.4.0 Pig=0.17.0 Presto=0.184
emr-5.9.1
emr-5.10.0 HCatalog=2.3.1 Hive=2.3.1 MXNet=0.12.0 Presto=0.187 Zeppelin=0.7.3
emr-5.10.1
emr-5.11.0 HCatalog=2.3.2 Hive=2.3.2 Spark=2.2.1
emr-5.11.1
emr-5.11.2
emr-5.11.3
emr-5.11.4
emr-5.12.0 Flink=1.4.0 Hadoop=2.8.3 HBase=1.4.0 Hue=4.1.0 MXNet=1.0.0 Phoenix=4.13.0 Presto=0.188
emr-5.12.1
emr-5.12.2
emr-5.12.3
emr-5.13.0 HBase=1.4.2 Presto=0.194 Spark=2.3.0
emr-5.13.1
emr-5.14.0 Flink=1.4.2 JupyterHub=0.8.1 MXNet=1.1.0 Sqoop=1.4.7
emr-5.14.1
emr-5.14.2
emr-5.15.0 HBase=1.4.4 HCatalog=2.3.3 Hive=2.3.3 Hue=4.2.0 Oozie=5.0.0 ZooKeeper=3.4.12
emr-5.15.1
emr-5.16.0 Flink=1.5.0 Hadoop=2.8.4 Livy=0.5.0 MXNet=1.2.0 Phoenix=4.14.0 Presto=0.203 Spark=2.3.1
emr-5.16.1
emr-5.17.0 Flink=1.5.2 HBase=1.4.6 Presto=0.206 TensorFlow=1.9.0
emr-5.17.1
emr-5.17.2
emr-5.18.0 Flink=1.6.0 HBase=1.4.7 Presto=0.210 Spark=2.3.2 Zeppelin=0.8.0
emr-5.18.1
emr-5.19.0 Flink=1.6.1 Hadoop=2.8.5 JupyterHub=0.9.4 MXNet=1.3.0 Presto=0.212 TensorFlow=1.11.0 ZooKeeper=3.4.13
emr-5.19.1
emr-5.20.0 Flink=1.6.2 HBase=1.4.8 HCatalog=2.3.4 Hive=2.3.4 Hue=4.3.0 MXNet=1.3.1 Presto=0.214 Spark=2.4.0
    TensorFlow=1.12.0 Tez=0.9.1
emr-5.20.1
emr-5.21.0 Flink=1.7.0 Presto=0.215
emr-5.21.1
emr-5.21.2
emr-5.22.0 Flink=1.7.1 HBase=1.4.9 Oozie=5.1.0 Phoenix=4.14.1 Zeppelin=0.8.1
emr-5.23.0
emr-5.23.1
emr-5.24.0 Flink=1.8.0 Hue=4.4.0 JupyterHub=0.9.6 Livy=0.6.0 MXNet=1.4.0 Presto=0.219 Spark=2.4.2
emr-5.24.1
emr-5.25.0 HCatalog=2.3.5 Hive=2.3.5 Presto=0.220 Spark=2.4.3 TensorFlow=1.13.1 Tez=0.9.2 ZooKeeper=3.4.14
emr-5.26.0 HBase=1.4.10 Phoenix=4.14.2
emr-5.27.0 Flink=1.8.1 JupyterHub=1.0.0 Presto=0.224 Spark=2.4.4 TensorFlow=1.14.0
emr-5.27.1
emr-5.28.0 Flink=1.9.0 HCatalog=2.3.6 Hive=2.3.6 Hudi=0.5.0-incubating MXNet=1.5.1 Phoenix=4.14.3 Presto=0.227
    Zeppelin=0.8.2
emr-5.28.1
emr-5.29.0 Flink=1.9.1
emr-5.30.0 Flink=1.10.0 HBase=1.4.13 Hudi=0.5.2-incubating Hue=4.6.0 JupyterHub=1.1.0 Livy=0.7.0 Oozie=5.2.0
    Presto=0.232 Spark=2.4.5
emr-5.30.1
emr-5.30.2
emr-5.31.0 Flink=1.11.0 Hadoop=2.10.0 HCatalog=2.3.7 Hive=2.3.7 Hudi=0.6.0 Hue=4.7.1 MXNet=1.6.0 Presto=0.238.3
    Spark=2.4.6 TensorFlow=2.1.0
emr-5.31.1
emr-5.32.0 Flink=1.11.2 Hadoop=2.10.1 Hue=4.8.0 JupyterEnterpriseGateway=2.1.0 MXNet=1.7.0 Presto=0.240.1
    Spark=2.4.7 TensorFlow=2.3.1
emr-5.32.1
emr-5.33.0 Flink=1.12.1 Hudi=0.7.0 Hue=4.9.0 Presto=0.245.1 TensorFlow=2.4.1 Zeppelin=0.9.0
emr-5.33.1
emr-5.34.0 Flink=1.13.1 HCatalog=2.3.8 Hive=2.3.8 Hudi=0.9.0 Livy=0.7.1 MXNet=1.8.0 Oozie=5.2.1 Presto=0.261
    Spark=2.4.8 Zeppelin=0.10.0
emr-6.0.0 Flink=- Hadoop=3.2.1 HBase=2.2.3 HCatalog=3.1.2 Hive=3.1.2 Hudi=0.5.0-incubating Hue=4.4.0
    JupyterEnterpriseGateway=- JupyterHub=1.0.0 Livy=0.6.0 Mahout=- MXNet=1.5.1 Oozie=5.1.0 Phoenix=5.0.0 Pig=-
    Presto=0.230 Spark=2.4.4 Sqoop=- TensorFlow=1.14.0 Zeppelin=0.9.0
emr-6.0.1
emr-6.1.0 Flink=1.11.0 HBase=2.2.5 Hudi=0.5.2-incubating Hue=4.7.1 JupyterHub=1.1.0 Livy=0.7.0 MXNet=1.6.0
    Oozie=5.2.0 Pig=0.17.0 Presto=0.232 PrestoSQL=338 Spark=3.0.0 Sqoop=1.4.7 TensorFlow=2.1.0
emr-6.1.1
emr-6.2.0 Flink=1.11.2 HBase=2.2.6 Hudi=0.6.0 Hue=4.8.0 JupyterEnterpriseGateway=2.1.0 MXNet=1.7.0
    Presto=0.238.3 PrestoSQL=343 Spark=3.0.1 TensorFlow=2.3.1
emr-6.2.1
emr-6.3.0 Flink=1.12.1 Hudi=0.7.0 Hue=4.9.0 JupyterHub=1.2.0 Oozie=5.2.1 Presto=0.245.1 PrestoSQL=350
    Spark=3.1.1 TensorFlow=2.4.1
emr-6.3.1
emr-6.4.0 Flink=1.13.1 HBase=2.4.4 Hudi=0.8.0 JupyterHub=1.4.1 Livy=0.7.1 MXNet=1.8.0 Phoenix=5.1.2
    Presto=0.254.1 PrestoSQL=- Spark=3.1.2 Trino=359 ZooKeeper=3.5.7
emr-6.5.0 Flink=1.14.0 Hudi=0.9.0 Iceberg=0.12.0 Presto=0.261 Trino=360 Zeppelin=0.10.0
emr-6.6.0 Flink=1.14.2 Hudi=0.10.1 Hue=4.10.0 Iceberg=0.13.1 MXNet=? Oozie=? Phoenix=? Pig=? Presto=? Spark=3.2.0
    Sqoop=? TensorFlow=? Trino=? Zeppelin=? ZooKeeper=?
emr-6.7.0 HCatalog=3.1.3 Hive=3.1.3 Hudi=0.11.0 JupyterHub=? Livy=? Spark=? Tez=?
emr-6.8.0 Flink=1.15.1 HBase=2.4.12 Hudi=0.11.1 Iceberg=0.14.0 Spark=3.3.0 Tez=0.9.2
emr-6.8.1 JupyterHub=1.4.1 Livy=0.7.1 Spark=? Tez=?
emr-6.9.0 Delta=2.1.0 Flink=1.15.2 Hadoop=3.3.3 HBase=2.4.13 Hudi=0.12.1 Iceberg=0.14.1
    JupyterEnterpriseGateway=2.6.0 MXNet=1.9.1
emr-6.9.1
emr-6.10.0 Delta=2.2.0 Flink=1.16.0 HBase=2.4.15 Hudi=0.12.2 Iceberg=1.1.0 JupyterHub=1.5.0 Spark=3.3.1 Tez=0.10.2
emr-6.10.1 JupyterHub=? Livy=? MXNet=? Spark=? Tez=?
emr-6.11.0 Hudi=0.13.0 Hue=4.11.0 Iceberg=1.2.0
emr-6.11.1
emr-6.12.0 Delta=2.4.0 Flink=1.17.0 HBase=2.4.17 Hudi=0.13.1 Iceberg=1.3.0 JupyterHub=1.4.1 Livy=0.7.1 MXNet=1.9.1
    Oozie=5.2.1 Phoenix=5.1.3 Spark=3.4.0 Tez=0.10.2
emr-6.13.0 JupyterHub=1.5.0 Pig=0.17.0 Spark=3.4.1
emr-6.14.0 Flink=1.17.1 Iceberg=1.3.1 Presto=0.281
emr-6.15.0 Hadoop=3.3.6 Hudi=0.14.0 Iceberg=1.4.0 Presto=? Spark=? Tez=?
emr-7.0.0 AmazonCloudWatchAgent=1.300031.1 Delta=3.0.0 Flink=1.18.0 Ganglia=- Hadoop=? HBase=? HCatalog=? Hue=?
    Iceberg=1.4.2 JupyterEnterpriseGateway=? JupyterHub=? Livy=? MXNet=? Oozie=? Phoenix=? Pig=? Spark=3.5.0
    Tez=0.10.2
emr-7.1.0 AmazonCloudWatchAgent=1.300032.2 Flink=1.18.1 Hudi=0.14.1 Iceberg=1.4.3
emr-7.2.0 Delta=3.1.0 Hadoop=3.3.6 Iceberg=1.5.0 Spark=? Tez=?
emr-7.3.0 Delta=3.2.0 Hudi=0.15.0 Iceberg=1.5.2 Spark=3.5.1 Tez=0.10.2
emr-7.4.0 Flink=1.19.1 Hadoop=? Iceberg=1.6.1 Spark=3.5.2
emr-7.5.0 Delta=3.2.1 HBase=2.5.10
emr-7.6.0 Flink=1.20.0 HBase=2.6.1 Spark=3.5.3
emr-7.7.0 Hadoop=3.4.0 Iceberg=1.7.1 Presto=0.287
emr-7.8.0 Delta=3.3.0 Hadoop=3.4.1 Spark=3.5.4 Zeppelin=0.11.1
emr-7.9.0 HBase=2.6.2 Spark=3.5.5 ZooKeeper=3.9.3
emr-7.10.0 Hive=? Iceberg=1.8.1
emr-7.11.0 Delta=3.3.2 HBase=? HCatalog=3.1.3 Hudi=1.0.2 Iceberg=1.9.1 Spark=3.5.6 Tez=?
emr-7.12.0 Iceberg=1.10.0
emr-7.13.0 AmazonCloudWatchAgent=? Delta=? Flink=? Hadoop=3.4.2 ZooKeeper=?
emr-7.14.0 Hadoop=? HCatalog=? Hudi=? Iceberg=1.10.1 Presto=? Spark=? Zeppelin=?
"""


def label_key(label: str) -> Optional[tuple[int, ...]]:
    """(6, 5, 0) for `emr-6.5.0`; None for a string that is not an EMR release label."""
    if not label.startswith("emr-"):
        return None
    parts = label[4:].split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


@functools.lru_cache(maxsize=None)
def releases() -> dict[str, dict[str, str]]:
    """{label: {application: version}}, newest release first (the order ListReleaseLabels returns)."""
    table: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in _TABLE.strip("\n").splitlines():
        words = line.split()
        if not line.startswith(" "):
            current = dict(current)
            table[words[0]] = current
            words = words[1:]
        for word in words:
            app, version = word.split("=", 1)
            if version in ("-", "?"):
                current.pop(app, None)
            else:
                current[app] = version
    return dict(sorted(table.items(), key=lambda item: label_key(item[0]), reverse=True))
