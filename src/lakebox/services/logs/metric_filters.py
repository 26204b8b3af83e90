"""Metric filters: PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter and TestMetricFilter.

Why filters are kept although no metric is published: lakebox has no CloudWatch metrics service, so
a filter's metric values go nowhere. What it does keep is everything a pipeline can observe: the
filter (validated by the same pattern engine FilterLogEvents uses, `filter_pattern.py`), its group's
`metricFilterCount`, and TestMetricFilter, which really applies a pattern to sample messages and
returns what it extracted. Filters live in the logs store's `metric_filters` table and are deleted
with their group, as on AWS.

DescribeMetricFilters lists filters ASCII-sorted by filter name (the API reference says so, and a
recorded answer across two groups agrees), then by group; each shows `applyOnTransformedLogs`,
false unless the put set it, as AWS does.
"""

from __future__ import annotations

import json
import sqlite3

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from . import store as st
from .common import decode_token, encode_token, invalid, not_found
from .filter_pattern import FilterPatternError, compile_extractor, compile_pattern

FILTERS_PER_GROUP = 100
DESCRIBE_LIMIT = 50
FILTER_MISSING = "The specified metric filter does not exist."
#: Request members kept as given and echoed back by DescribeMetricFilters.
_OPTIONS = ("applyOnTransformedLogs", "fieldSelectionCriteria", "emitSystemFieldDimensions")


class MetricFiltersMixin:
    store: st.LogsStore

    def put_metric_filter(self, ctx: RequestContext, params: dict) -> dict:
        """Create or replace a filter. Its metric values are not published anywhere: lakebox has no
        CloudWatch metrics."""
        pattern = params["filterPattern"]
        _compiled(pattern)
        group = self._group(ctx, params["logGroupName"])
        transformations = params["metricTransformations"]
        for transformation in transformations:
            if len(transformation.get("dimensions") or {}) > 3:
                raise invalid("A metric transformation can have at most 3 dimensions.")
        options = {k: params[k] for k in _OPTIONS if params.get(k) is not None}
        with self.store.write() as db:
            exists = db.execute("SELECT 1 FROM metric_filters WHERE group_id = ? AND name = ?",
                                (group.id, params["filterName"])).fetchone()
            if exists is None:
                count = db.execute("SELECT COUNT(*) FROM metric_filters WHERE group_id = ?", (group.id,)).fetchone()[0]
                if count >= FILTERS_PER_GROUP:
                    raise AwsError("LimitExceededException", "Resource limit exceeded.", 400)
            try:
                db.execute("INSERT INTO metric_filters (group_id, name, pattern, transformations, created_ms, options) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (group_id, name) DO UPDATE SET "
                           "pattern = excluded.pattern, transformations = excluded.transformations, "
                           "created_ms = excluded.created_ms, options = excluded.options",
                           (group.id, params["filterName"], pattern, json.dumps(transformations), self._now_ms(),
                            json.dumps(options)))
            except sqlite3.IntegrityError:
                # The group was deleted since it was looked up.
                raise not_found("The specified log group does not exist.") from None
        return {}

    def describe_metric_filters(self, ctx: RequestContext, params: dict) -> dict:
        metric_name, namespace = params.get("metricName"), params.get("metricNamespace")
        if bool(metric_name) != bool(namespace):
            raise invalid("metricName and metricNamespace must be specified together.")
        limit = params.get("limit") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), "metric-filters")
        sql = ("SELECT f.*, g.name AS group_name FROM metric_filters f JOIN log_groups g ON g.id = f.group_id "
               "WHERE g.account = ? AND g.region = ?")
        args: list = [ctx.account_id, ctx.region]
        if params.get("logGroupName"):
            group = self._group(ctx, params["logGroupName"])
            sql += " AND f.group_id = ?"
            args.append(group.id)
            prefix = params.get("filterNamePrefix")
            if prefix:  # AWS reads the prefix only together with a group name.
                sql += " AND substr(f.name, 1, ?) = ?"
                args += [len(prefix), prefix]
        if after is not None:
            sql += " AND (f.name, g.name) > (?, ?)"
            args += list(after)
        sql += " ORDER BY f.name, g.name"
        rows = self.store.read(sql, args)
        if metric_name:
            rows = [r for r in rows if any(t["metricName"] == metric_name and t["metricNamespace"] == namespace
                                           for t in json.loads(r["transformations"]))]
        result: dict = {"metricFilters": [_filter_output(r) for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            result["nextToken"] = encode_token("metric-filters", [last["name"], last["group_name"]])
        return result

    def delete_metric_filter(self, ctx: RequestContext, params: dict) -> dict:
        group = self._group(ctx, params["logGroupName"])
        with self.store.write() as db:
            cur = db.execute("DELETE FROM metric_filters WHERE group_id = ? AND name = ?",
                             (group.id, params["filterName"]))
            if cur.rowcount == 0:
                raise not_found(FILTER_MISSING)
        return {}

    def test_metric_filter(self, ctx: RequestContext, params: dict) -> dict:
        """Apply the pattern to each message; eventNumber is the message's 0-based position, as in the
        API reference's example."""
        extract = _compiled(params["filterPattern"], extractor=True)
        matches = []
        for number, message in enumerate(params["logEventMessages"]):
            values = extract(message)
            if values is not None:
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": values})
        return {"matches": matches}


def _compiled(pattern: str, extractor: bool = False):
    try:
        return compile_extractor(pattern) if extractor else compile_pattern(pattern)
    except FilterPatternError as exc:
        raise invalid(str(exc)) from None


def _filter_output(row) -> dict:
    return {"filterName": row["name"], "filterPattern": row["pattern"], "logGroupName": row["group_name"],
            "metricTransformations": json.loads(row["transformations"]), "creationTime": row["created_ms"],
            "applyOnTransformedLogs": False, **json.loads(row["options"])}
