"""A crawler's definition: Glue's checks on CreateCrawler/UpdateCrawler input, the defaults Glue fills
in, and the `Configuration` JSON read into the settings a crawl uses.

Pure: it raises Glue's `InvalidInputException` (through errors.py) and touches no state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .crawler_cron import CronError, parse_cron
from .crawler_files import split_s3_path
from .errors import invalid_input

LOG_GROUP = "/aws-glue/crawlers"

DEFAULT_SCHEMA_CHANGE_POLICY = {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "DEPRECATE_IN_DATABASE"}
DEFAULT_RECRAWL_POLICY = {"RecrawlBehavior": "CRAWL_EVERYTHING"}
DEFAULT_LINEAGE = {"CrawlerLineageSettings": "DISABLE"}
DEFAULT_LAKE_FORMATION = {"UseLakeFormationCredentials": False, "AccountId": ""}

MIN_SAMPLE_SIZE, MAX_SAMPLE_SIZE = 1, 249

#: The members of the `Configuration` JSON Glue documents, with what each may hold.
_CONFIG_KEYS = {"Version", "CrawlerOutput", "Grouping", "CreatePartitionIndex"}
_OUTPUT_KEYS = {"Partitions", "Tables"}
_GROUPING_KEYS = {"TableGroupingPolicy", "TableLevelConfiguration"}

#: Fields of the `Crawler` document that CreateCrawler and UpdateCrawler take as given.
DEFINITION_FIELDS = ("Role", "DatabaseName", "Description", "Targets", "Classifiers", "TablePrefix",
                     "SchemaChangePolicy", "RecrawlPolicy", "LineageConfiguration", "LakeFormationConfiguration",
                     "Configuration", "CrawlerSecurityConfiguration")


@dataclass(frozen=True)
class CrawlSettings:
    """What the Configuration JSON asks of a crawl."""

    merge_new_columns: bool = False
    inherit_from_table: bool = False
    combine_compatible: bool = False
    table_level: int | None = None


def new_crawler(params: dict, now) -> dict:
    """The `Crawler` document for a CreateCrawler request (checked)."""
    doc: dict[str, Any] = {"Name": params["Name"], "Classifiers": [], "State": "READY", "CrawlElapsedTime": 0,
                           "CreationTime": now, "LastUpdated": now, "Version": 1,
                           "SchemaChangePolicy": dict(DEFAULT_SCHEMA_CHANGE_POLICY),
                           "RecrawlPolicy": dict(DEFAULT_RECRAWL_POLICY),
                           "LineageConfiguration": dict(DEFAULT_LINEAGE),
                           "LakeFormationConfiguration": dict(DEFAULT_LAKE_FORMATION)}
    for name in DEFINITION_FIELDS:
        if params.get(name) is not None:
            doc[name] = params[name]
    if params.get("Schedule"):
        doc["Schedule"] = {"ScheduleExpression": params["Schedule"], "State": "SCHEDULED"}
    check_definition(doc)
    return doc


def updated_crawler(old: dict, params: dict, now) -> dict:
    """The document after UpdateCrawler: given fields replace the old ones (checked)."""
    doc = {**old, "LastUpdated": now, "Version": int(old.get("Version", 1)) + 1}
    for name in DEFINITION_FIELDS:
        if name in params and params[name] is not None:
            doc[name] = params[name]
    if "Schedule" in params:
        if params["Schedule"]:
            state = (old.get("Schedule") or {}).get("State", "SCHEDULED")
            doc["Schedule"] = {"ScheduleExpression": params["Schedule"], "State": state}
        else:
            doc.pop("Schedule", None)
    check_definition(doc)
    return doc


def check_definition(doc: dict) -> None:
    # A crawler with empty target lists is accepted, as Glue's API accepts it; its crawls find nothing.
    targets = doc.get("Targets") or {}
    for target in targets.get("S3Targets") or []:
        _check_s3_target(target)
    recrawl = (doc.get("RecrawlPolicy") or {}).get("RecrawlBehavior", "CRAWL_EVERYTHING")
    policy = doc.get("SchemaChangePolicy") or {}
    if recrawl == "CRAWL_NEW_FOLDERS_ONLY" and (policy.get("UpdateBehavior") != "LOG"
                                                or policy.get("DeleteBehavior") != "LOG"):
        raise invalid_input("The SchemaChangePolicy for \"Crawl new folders only\" Amazon S3 target can have "
                            "only LOG DeleteBehavior value and LOG UpdateBehavior value.")
    if recrawl == "CRAWL_EVENT_MODE":
        raise invalid_input("RecrawlBehavior CRAWL_EVENT_MODE needs S3 event notifications delivered to an SQS "
                            "queue (EventQueueArn), which lakebox does not provide; use CRAWL_EVERYTHING or "
                            "CRAWL_NEW_FOLDERS_ONLY.")
    if doc.get("Schedule"):
        check_schedule(doc["Schedule"]["ScheduleExpression"])
    if doc.get("Configuration") is not None:
        crawl_settings(doc["Configuration"])


def check_schedule(expression: str) -> None:
    try:
        parse_cron(expression)
    except CronError as exc:
        raise invalid_input(f"Invalid schedule expression {expression}: {exc}.") from None


def _check_s3_target(target: dict) -> None:
    path = target.get("Path") or ""
    try:
        split_s3_path(path)
    except ValueError:
        raise invalid_input(f"Invalid S3 path: {path!r}; an S3 target path is written s3://bucket/prefix.") from None
    size = target.get("SampleSize")
    if size is not None and not MIN_SAMPLE_SIZE <= size <= MAX_SAMPLE_SIZE:
        raise invalid_input(f"SampleSize must be between {MIN_SAMPLE_SIZE} and {MAX_SAMPLE_SIZE}, "
                            f"got {size} for target {path}.")
    if target.get("EventQueueArn"):
        raise invalid_input("EventQueueArn needs S3 event notifications delivered to SQS, which lakebox does "
                            "not provide.")


def crawl_settings(configuration: str | None) -> CrawlSettings:
    """The Configuration JSON as settings; InvalidInputException naming what is wrong."""
    if not configuration:
        return CrawlSettings()
    try:
        config = json.loads(configuration)
    except ValueError as exc:
        raise _bad_config(f"it is not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise _bad_config("it must be a JSON object")
    _only(config, _CONFIG_KEYS, "")
    if "Version" in config and config["Version"] not in (1.0, 1, "1.0"):
        raise _bad_config(f"Version must be 1.0, got {config['Version']!r}")
    output = _object(config, "CrawlerOutput")
    _only(output, _OUTPUT_KEYS, "CrawlerOutput.")
    tables = _object(output, "Tables")
    _only(tables, {"AddOrUpdateBehavior", "TableThreshold"}, "CrawlerOutput.Tables.")
    partitions = _object(output, "Partitions")
    _only(partitions, {"AddOrUpdateBehavior"}, "CrawlerOutput.Partitions.")
    if tables.get("AddOrUpdateBehavior", "MergeNewColumns") != "MergeNewColumns":
        raise _bad_config("CrawlerOutput.Tables.AddOrUpdateBehavior must be MergeNewColumns")
    if partitions.get("AddOrUpdateBehavior", "InheritFromTable") != "InheritFromTable":
        raise _bad_config("CrawlerOutput.Partitions.AddOrUpdateBehavior must be InheritFromTable")
    grouping = _object(config, "Grouping")
    _only(grouping, _GROUPING_KEYS, "Grouping.")
    policy = grouping.get("TableGroupingPolicy")
    if policy is not None and policy != "CombineCompatibleSchemas":
        raise _bad_config("Grouping.TableGroupingPolicy must be CombineCompatibleSchemas")
    level = grouping.get("TableLevelConfiguration")
    if level is not None and (isinstance(level, bool) or not isinstance(level, int) or level < 1):
        raise _bad_config("Grouping.TableLevelConfiguration must be a positive integer (the bucket is level 1)")
    return CrawlSettings(merge_new_columns=tables.get("AddOrUpdateBehavior") == "MergeNewColumns",
                         inherit_from_table=partitions.get("AddOrUpdateBehavior") == "InheritFromTable",
                         combine_compatible=policy == "CombineCompatibleSchemas", table_level=level)


def _object(parent: dict, key: str) -> dict:
    value = parent.get(key, {})
    if not isinstance(value, dict):
        raise _bad_config(f"{key} must be a JSON object")
    return value


def _only(obj: dict, allowed: set, where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise _bad_config(f"unknown field {where}{unknown[0]}")


def _bad_config(reason: str):
    return invalid_input(f"Crawler configuration not valid: {reason}.")
