"""The releases after emr-6.5.0 in the release table (emr-6.6.0 to emr-7.14.0): ListReleaseLabels order,
filters and pages, DescribeReleaseLabel, and the application versions a cluster of such a release reports."""

from __future__ import annotations

from emr_helpers import SMALL

from lakebox.services.emr.release_data import label_key, releases
from lakebox.services.emr.releases import installed_versions


def _all_pages(emr, **kwargs) -> list[list[str]]:
    pages, token = [], None
    while True:
        response = emr.list_release_labels(**kwargs, **({"NextToken": token} if token else {}))
        pages.append(response["ReleaseLabels"])
        token = response.get("NextToken")
        if not token:
            return pages


def test_release_table_is_newest_first_in_numeric_version_order():
    labels = list(releases())
    assert labels == sorted(labels, key=label_key, reverse=True)
    assert labels[0] == "emr-7.14.0"
    assert labels.index("emr-7.10.0") == labels.index("emr-7.11.0") + 1 == labels.index("emr-7.9.0") - 1
    assert labels.index("emr-6.15.0") == labels.index("emr-7.0.0") + 1
    assert labels.index("emr-6.5.0") == labels.index("emr-6.6.0") + 1


def test_list_release_labels_prefix_lists_the_recent_releases_with_their_patch_releases(emr):
    assert emr.list_release_labels(Filters={"Prefix": "emr-6.1"})["ReleaseLabels"] == [
        "emr-6.15.0", "emr-6.14.0", "emr-6.13.0", "emr-6.12.0", "emr-6.11.1", "emr-6.11.0", "emr-6.10.1",
        "emr-6.10.0", "emr-6.1.1", "emr-6.1.0"]
    assert emr.list_release_labels(Filters={"Prefix": "emr-6.9"})["ReleaseLabels"] == ["emr-6.9.1", "emr-6.9.0"]
    assert emr.list_release_labels(Filters={"Prefix": "emr-7."})["ReleaseLabels"] == [
        f"emr-7.{minor}.0" for minor in range(14, -1, -1)]


def test_list_release_labels_application_filter_matches_the_recent_versions(emr):
    assert emr.list_release_labels(Filters={"Application": "Spark@3.3.1"})["ReleaseLabels"] == ["emr-6.10.0"]
    assert emr.list_release_labels(Filters={"Application": "spark@3.5.6"})["ReleaseLabels"] == [
        "emr-7.13.0", "emr-7.12.0", "emr-7.11.0"]
    assert emr.list_release_labels(Filters={"Application": "Delta@2.4.0"})["ReleaseLabels"] == [
        "emr-6.15.0", "emr-6.14.0", "emr-6.13.0", "emr-6.12.0"]
    assert emr.list_release_labels(Filters={"Prefix": "emr-6.1", "Application": "Hadoop@3.3.6"})[
        "ReleaseLabels"] == ["emr-6.15.0"]


def test_list_release_labels_pages_through_the_recent_releases(emr):
    pages = _all_pages(emr, Filters={"Prefix": "emr-7."}, MaxResults=4)
    assert [len(p) for p in pages] == [4, 4, 4, 3]
    assert pages[0] == ["emr-7.14.0", "emr-7.13.0", "emr-7.12.0", "emr-7.11.0"]
    assert pages[1] == ["emr-7.10.0", "emr-7.9.0", "emr-7.8.0", "emr-7.7.0"]
    assert sum(pages, []) == emr.list_release_labels(Filters={"Prefix": "emr-7."})["ReleaseLabels"]
    everything = _all_pages(emr, MaxResults=40)
    assert sum(everything, []) == list(releases()) and len(everything) == 4


def test_describe_release_label_reports_aws_versions_of_recent_releases(emr):
    def apps(label: str) -> dict[str, str]:
        response = emr.describe_release_label(ReleaseLabel=label)
        assert response["ReleaseLabel"] == label
        names = [a["Name"] for a in response["Applications"]]
        assert names == sorted(names)
        return {a["Name"]: a["Version"] for a in response["Applications"]}

    release = apps("emr-6.10.0")
    assert {name: release[name] for name in ("spark", "hadoop", "hive", "hcatalog", "delta", "flink", "hbase",
                                             "hudi", "iceberg", "jupyterhub", "livy", "tez")} == {
        "spark": "3.3.1", "hadoop": "3.3.3", "hive": "3.1.3", "hcatalog": "3.1.3", "delta": "2.2.0",
        "flink": "1.16.0", "hbase": "2.4.15", "hudi": "0.12.2", "iceberg": "1.1.0", "jupyterhub": "1.5.0",
        "livy": "0.7.1", "tez": "0.10.2"}
    assert (apps("emr-6.6.0")["spark"], apps("emr-6.8.0")["spark"], apps("emr-6.12.0")["spark"]) == (
        "3.2.0", "3.3.0", "3.4.0")
    assert apps("emr-6.9.1")["hadoop"] == "3.3.3" and apps("emr-6.8.1")["hadoop"] == "3.2.1"
    assert apps("emr-6.15.0")["hadoop"] == "3.3.6" and apps("emr-6.14.0")["presto"] == "0.281"
    seven = apps("emr-7.0.0")
    assert (seven["spark"], seven["delta"], seven["flink"], seven["iceberg"], seven["amazoncloudwatchagent"]) == (
        "3.5.0", "3.0.0", "1.18.0", "1.4.2", "1.300031.1")
    assert "ganglia" not in seven and apps("emr-6.15.0")["ganglia"] == "3.7.2"
    assert (apps("emr-7.13.0")["hadoop"], apps("emr-7.11.0")["hudi"], apps("emr-7.14.0")["iceberg"]) == (
        "3.4.2", "1.0.2", "1.10.1")
    # A version the sources did not show is left out, not carried over from the release before.
    assert "trino" not in apps("emr-6.6.0") and apps("emr-6.5.0")["trino"] == "360"
    assert "spark" not in apps("emr-6.15.0")


def test_cluster_of_emr_6_10_0_reports_the_release_versions(emr):
    cluster_id = emr.run_job_flow(Name="recent", ReleaseLabel="emr-6.10.0", Applications=[
        {"Name": "Spark"}, {"Name": "Hadoop"}, {"Name": "Hive"}], **SMALL)["JobFlowId"]
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Applications"] == [
        {"Name": "Spark", "Version": "3.3.1"}, {"Name": "Hadoop", "Version": "3.3.3"},
        {"Name": "Hive", "Version": "3.1.3"}]
    assert emr.describe_job_flows(JobFlowIds=[cluster_id])["JobFlows"][0]["Instances"]["HadoopVersion"] == "3.3.3"


def test_cluster_of_a_listed_release_without_a_spark_version_reports_the_spark_here(emr):
    cluster_id = emr.run_job_flow(Name="gap", ReleaseLabel="emr-6.15.0", Applications=[
        {"Name": "Spark"}, {"Name": "Hadoop"}, {"Name": "Hue", "Version": "9.9"}], **SMALL)["JobFlowId"]
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Applications"] == [
        {"Name": "Spark", "Version": installed_versions()["Spark"]}, {"Name": "Hadoop", "Version": "3.3.6"},
        {"Name": "Hue", "Version": "4.11.0"}]
