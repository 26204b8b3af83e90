"""One crawl: list each S3 target through the lake, read a sample of its files, group them into tables
and write those to the catalog, logging to CloudWatch Logs as Glue's crawlers do.

    outcome = run_crawl(env, "us-east-1:000000000000", crawler_doc, crawl)

Runs on a worker thread (crawler_worker.py) and never raises: a target that cannot be crawled (a
missing bucket, say) ends the crawl FAILED with a message saying so, and StopCrawler ends it
CANCELLED between two files or two tables, before anything else is written.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .crawler_catalog import CatalogWriter
from .crawler_classify import classify_file, custom_classifiers
from .crawler_config import LOG_GROUP, crawl_settings
from .crawler_files import TargetError, TargetFile, sample, split_s3_path, target_files
from .crawler_grouping import LeafFile, group_tables
from .crawler_infer import merge_columns
from .crawler_store import CrawlerStore
from .crawler_table_formats import format_tables
from .crawler_worker import Crawl, CrawlOutcome

log = logging.getLogger("lakebox.glue.crawlers")

#: The target kinds a lakebox crawl reads; the others (JDBC, DynamoDB, catalog ...) are logged and skipped.
CRAWLED_TARGETS = ("S3Targets", "DeltaTargets", "IcebergTargets")


class CrawlCancelled(Exception):
    """StopCrawler asked the crawl to end."""


@dataclass
class CrawlEnv:
    """What a crawl works with."""

    lake: Any  # the S3 provider's LakeStore
    catalog: Any  # the Glue provider: its catalog operations
    logs: Any  # the CloudWatch Logs provider (write_events), or None
    crawler_store: CrawlerStore
    clock: ServiceClock


class CrawlLog:
    """The crawl's log lines, `[<crawl id>] LEVEL : text`, sent to /aws-glue/crawlers/<crawler>."""

    def __init__(self, env: CrawlEnv, account: str, region: str, crawler: str, crawl_id: str):
        self.env, self.account, self.region, self.crawler, self.crawl_id = env, account, region, crawler, crawl_id
        self._pending: list[tuple[int, str]] = []

    def __call__(self, text: str) -> None:
        self._pending.append((int(self.env.clock.now().timestamp() * 1000), f"[{self.crawl_id}] {text}"))

    def flush(self) -> None:
        if self._pending and self.env.logs is not None:
            self.env.logs.write_events(self.account, self.region, LOG_GROUP, self.crawler, self._pending)
        self._pending = []


def run_crawl(env: CrawlEnv, key: str, doc: dict, crawl: Crawl) -> CrawlOutcome:
    region, _, account = key.partition(":")
    name = doc["Name"]
    write_log = CrawlLog(env, account, region, name, crawl.id)
    write_log(f"BENCHMARK : Running Start Crawl for Crawler {name}")
    write_log(f"INFO : Crawler configured with SchemaChangePolicy {json.dumps(doc.get('SchemaChangePolicy'))}, "
              f"RecrawlPolicy {json.dumps(doc.get('RecrawlPolicy'))}")
    write_log.flush()
    try:
        writer = _crawl(env, key, doc, crawl, write_log)
        counts = writer.counts
        write_log("BENCHMARK : Finished writing to Catalog")
        write_log("BENCHMARK : Crawler has finished running and is in state READY")
        write_log(f"BENCHMARK : Finished Crawl for Crawler {name}")
        return CrawlOutcome("SUCCEEDED", counts=counts, summary=_summary(counts))
    except CrawlCancelled:
        write_log(f"BENCHMARK : Crawl for Crawler {name} was stopped")
        return CrawlOutcome("CANCELLED")
    except (TargetError, CrawlFailed) as exc:
        write_log(f"ERROR : {exc}")
        write_log("BENCHMARK : Crawler has finished running and is in state READY")
        return CrawlOutcome("FAILED", str(exc))
    except AwsError as exc:
        write_log(f"ERROR : {exc.code}: {exc.message}")
        return CrawlOutcome("FAILED", f"{exc.code}: {exc.message}")
    except Exception as exc:
        log.exception("crawl %s of crawler %s failed", crawl.id, name)
        write_log(f"ERROR : Internal Service Exception: {exc}")
        return CrawlOutcome("FAILED", f"Internal Service Exception: {exc}")
    finally:
        write_log.flush()


class CrawlFailed(Exception):
    """The crawler's definition cannot be crawled (the message says why)."""


def _crawl(env: CrawlEnv, key: str, doc: dict, crawl: Crawl, write_log: CrawlLog) -> CatalogWriter:
    region, _, account = key.partition(":")
    name = doc["Name"]
    if env.lake is None:
        raise CrawlFailed("lakebox has no S3 lake to crawl")
    if not doc.get("DatabaseName"):
        raise CrawlFailed(f"Crawler {name} has no DatabaseName to write its tables to")
    settings = crawl_settings(doc.get("Configuration"))
    policy = doc.get("SchemaChangePolicy") or {}
    new_only = (doc.get("RecrawlPolicy") or {}).get("RecrawlBehavior") == "CRAWL_NEW_FOLDERS_ONLY"
    targets = (doc.get("Targets") or {})
    for kind, items in targets.items():
        if kind not in CRAWLED_TARGETS and items:
            write_log(f"WARN : {kind} are not crawled by lakebox; only {', '.join(CRAWLED_TARGETS)} are")
    ctx = RequestContext(request=None, request_id=crawl.id, region=region, account_id=account, service="glue")
    writer = CatalogWriter(env.catalog, ctx, doc["DatabaseName"], name,
                           update_in_database=policy.get("UpdateBehavior", "UPDATE_IN_DATABASE") == "UPDATE_IN_DATABASE",
                           delete_behavior=policy.get("DeleteBehavior", "DEPRECATE_IN_DATABASE"),
                           new_folders_only=new_only, merge_new_columns=settings.merge_new_columns,
                           inherit_from_table=settings.inherit_from_table, log=write_log, now=env.clock.now)
    classifiers = custom_classifiers(env.crawler_store, key, doc.get("Classifiers") or [], write_log)
    seen = env.crawler_store.crawled_folders(key, name) if new_only else set()
    all_plans: list[tuple[str, list]] = []
    folders: set[str] = set()
    for target in targets.get("S3Targets") or []:
        path = target["Path"]
        bucket, prefix = split_s3_path(path)
        files = [f for f in target_files(env.lake, path, target.get("Exclusions")) if f.folder not in seen]
        folders |= {f"{bucket}/{f.folder}" for f in files}
        leaves = _classify(env, bucket, prefix, files, target.get("SampleSize"), classifiers, crawl, write_log)
        plans = group_tables(path, leaves, table_prefix=doc.get("TablePrefix") or "", table_level=settings.table_level,
                             combine_compatible=settings.combine_compatible, merge_columns=merge_columns)
        _count_all_objects(plans, bucket, files)
        all_plans.append((f"s3://{bucket}/{prefix}", plans))
    formats = format_tables(env.lake, targets, name, write_log)
    write_log(f"BENCHMARK : Classification complete, writing results to database {doc['DatabaseName']}")
    writer.ensure_database()
    for _, plans in all_plans:
        for plan in plans:
            _check(crawl)
            writer.write_table(plan)
    for table in formats:
        _check(crawl)
        writer.put_table(table)
    if not new_only:
        format_roots = [path.rstrip("/") for target in targets.get("DeltaTargets") or []
                        for path in target.get("DeltaTables") or []]
        format_roots += [path.rstrip("/") for target in targets.get("IcebergTargets") or []
                         for path in target.get("Paths") or []]
        writer.retire_tables([location for location, _ in all_plans] + format_roots)
    env.crawler_store.add_folders(key, name, folders)
    return writer


def _classify(env: CrawlEnv, bucket: str, prefix: str, files: list[TargetFile], sample_size: int | None,
              classifiers: list, crawl: Crawl, write_log: CrawlLog) -> list[LeafFile]:
    picked = sample(files, sample_size)
    leaves = []
    for f in files:
        if f.key not in picked:
            continue
        _check(crawl)
        path = env.lake.object_path(bucket, f.key)
        if path is None:
            continue  # deleted meanwhile, or a key only the hidden store holds
        try:
            schema = classify_file(path, f.size, classifiers)
        except (OSError, ValueError) as exc:
            write_log(f"WARN : Could not read s3://{bucket}/{f.key}: {exc}")
            continue
        if schema is None:
            write_log(f"INFO : No classifier recognized s3://{bucket}/{f.key}; it is not part of any table")
            continue
        leaves.append(LeafFile(f.key[len(prefix):], f.size, schema))
    return leaves


def _count_all_objects(plans: list, bucket: str, files: list[TargetFile]) -> None:
    """objectCount and sizeKey over every file, not just the sampled ones; recordCount scaled to match."""
    for plan in plans:
        parts = plan.partitions or [plan]
        for part in parts:
            under = [f for f in files if _under(f"s3://{bucket}/{f.key}", part.location)]
            if under and part.object_count:
                part.record_count = round(part.record_count * len(under) / part.object_count)
                part.object_count, part.size = len(under), sum(f.size for f in under)
        if plan.partitions:
            plan.record_count = sum(p.record_count for p in plan.partitions)
            plan.object_count = sum(p.object_count for p in plan.partitions)
            plan.size = sum(p.size for p in plan.partitions)


def _under(url: str, location: str) -> bool:
    return url == location or (location.endswith("/") and url.startswith(location))


def _check(crawl: Crawl) -> None:
    if crawl.cancel.is_set():
        raise CrawlCancelled()


def _summary(counts: dict) -> str:
    """ListCrawls' Summary, shaped like Glue's: what changed, by kind."""
    summary: dict[str, dict] = {}
    for key, kind, verb in (("TablesCreated", "TABLE", "ADD"), ("TablesUpdated", "TABLE", "UPDATE"),
                            ("TablesDeleted", "TABLE", "DELETE"), ("PartitionsCreated", "PARTITION", "ADD"),
                            ("PartitionsUpdated", "PARTITION", "UPDATE"), ("PartitionsDeleted", "PARTITION", "DELETE")):
        if counts.get(key):
            summary.setdefault(kind, {})[verb] = {"Count": counts[key]}
    return json.dumps(summary, separators=(",", ":"))
