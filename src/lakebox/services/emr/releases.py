"""Releases: ListReleaseLabels, DescribeReleaseLabel and ListSupportedInstanceTypes, and what a
RunJobFlow's release decides: which AMI fields it may carry and the versions of its applications.

The releases and their application versions are AWS's published table (release_data.py). As the API
reference says, from release 4.0 on an application is requested by name only: its version is the one
the release ships, so a `Version` in the request is not taken. A cluster of a release the table does
not list (a newer one), of an AMI version (2.x/3.x) or of neither reports, for Spark and Hadoop, the
versions that really run its steps here (the installed pyspark and the Hadoop client bundled with it)
and, for other applications, the version the request gave, if any. So does a cluster of a listed
release for Spark or Hadoop when the table has no version for them (every release ships both; the
table leaves out versions its sources did not show).
"""

from __future__ import annotations

import functools
import re
from importlib import metadata
from pathlib import Path
from typing import Optional

from ...protocol.context import RequestContext
from .common import invalid_request, page, validation
from .instance_types import supported_instance_types
from .release_data import label_key, releases

#: The first release that takes a CustomAmiId.
CUSTOM_AMI_SINCE = (5, 7, 0)


@functools.lru_cache(maxsize=None)
def installed_versions() -> dict[str, str]:
    """{"Spark": <pyspark version>, "Hadoop": <its bundled hadoop client>}, as far as they are installed."""
    versions: dict[str, str] = {}
    try:
        versions["Spark"] = metadata.version("pyspark")
        import pyspark

        for jar in (Path(pyspark.__file__).parent / "jars").glob("hadoop-client-api-*.jar"):
            match = re.search(r"hadoop-client-api-([\d.]+)\.jar$", jar.name)
            if match:
                versions["Hadoop"] = match.group(1)
    except (metadata.PackageNotFoundError, ImportError):
        pass
    return versions


def check_release(params: dict) -> None:
    """RunJobFlow's rules between AmiVersion, ReleaseLabel and CustomAmiId (ValidationException)."""
    ami, label, custom_ami = params.get("AmiVersion"), params.get("ReleaseLabel"), params.get("CustomAmiId")
    if ami and label:
        raise validation("Only one AMI version and release label may be specified. "
                         f"Provided AMI: {ami}, release label: {label}.")
    if custom_ami:
        if ami:
            raise validation("Custom AMI is not supported in this version of EMR")
        key = label_key(label) if label else None
        if key is not None and key < CUSTOM_AMI_SINCE:
            raise validation("Custom AMI is not allowed")


def cluster_applications(params: dict) -> list[dict]:
    """The cluster's Applications, each with the version it has (see the module's docstring)."""
    requested = params.get("Applications") or [{"Name": "Hadoop"}]
    shipped = releases().get(params.get("ReleaseLabel") or "")
    out = []
    for app in requested:
        name = app.get("Name", "")
        extra = {k: app[k] for k in ("Args", "AdditionalInfo") if app.get(k)}
        canonical = next((n for n in shipped or {} if n.lower() == name.lower()), None)
        if canonical is not None:
            out.append({"Name": canonical, "Version": shipped[canonical], **extra})
        elif (here := _installed(name)) is not None:
            out.append({"Name": here[0], "Version": here[1], **extra})
        elif shipped is None and app.get("Version"):
            out.append({"Name": name, "Version": app["Version"], **extra})
        else:
            out.append({"Name": name, **extra})
    return out


def _installed(name: str) -> Optional[tuple[str, str]]:
    """(canonical name, version) of Spark or Hadoop as installed here; None for other applications."""
    if name.lower() not in ("spark", "hadoop"):
        return None
    return next(((n, v) for n, v in installed_versions().items() if n.lower() == name.lower()), None)


def hadoop_version(params: dict) -> Optional[str]:
    """The Hadoop version of DescribeJobFlows: as requested (AMI clusters), the release's, or the one here."""
    requested = (params.get("Instances") or {}).get("HadoopVersion")
    if requested:
        return requested
    shipped = releases().get(params.get("ReleaseLabel") or "")
    return (shipped or {}).get("Hadoop") or installed_versions().get("Hadoop")


def _release_key(label: Optional[str]) -> tuple[int, ...]:
    key = label_key(label or "")
    if key is None:
        raise invalid_request(f"The release label '{label}' is not valid.", "INVALID_RELEASE_LABEL")
    return key


def _application_filter(spec: str):
    """`spark@3.1.2` (or just `spark`) -> a test on a release's {app: version}."""
    name, _, version = spec.partition("@")
    if not name:
        raise invalid_request(f"The application filter '{spec}' is not valid; use Name@Version.",
                              "INVALID_APPLICATION_FILTER")

    def matches(apps: dict[str, str]) -> bool:
        return any(n.lower() == name.lower() and (not version or v == version) for n, v in apps.items())

    return matches


class ReleasesMixin:
    def list_release_labels(self, ctx: RequestContext, params: dict) -> dict:
        filters = params.get("Filters") or {}
        labels = list(releases().items())
        if filters.get("Prefix"):
            labels = [(label, apps) for label, apps in labels if label.startswith(filters["Prefix"])]
        if filters.get("Application"):
            matches = _application_filter(filters["Application"])
            labels = [(label, apps) for label, apps in labels if matches(apps)]
        items = [{"Id": label} for label, _ in labels]
        chunk, token = page(items, params.get("NextToken"), params.get("MaxResults") or max(len(items), 1))
        return {"ReleaseLabels": [item["Id"] for item in chunk], "NextToken": token}

    def describe_release_label(self, ctx: RequestContext, params: dict) -> dict:
        table = releases()
        label = params.get("ReleaseLabel") or next(iter(table))
        _release_key(label)
        if label not in table:
            newest, oldest = next(iter(table)), list(table)[-1]
            raise invalid_request(f"The release label '{label}' is not one lakebox knows: it knows the releases "
                                  f"{oldest} to {newest}.", "INVALID_RELEASE_LABEL")
        apps = sorted(table[label].items(), key=lambda item: item[0].lower())
        return {"ReleaseLabel": label, "Applications": [{"Name": n.lower(), "Version": v} for n, v in apps]}

    def list_supported_instance_types(self, ctx: RequestContext, params: dict) -> dict:
        found = supported_instance_types(_release_key(params["ReleaseLabel"]))
        chunk, marker = page([{"Id": t["Type"], **t} for t in found], params.get("Marker"))
        return {"SupportedInstanceTypes": [{k: v for k, v in t.items() if k != "Id"} for t in chunk],
                "Marker": marker}
