"""Redshift events: what lakebox's clusters, snapshots and scheduled actions really went through,
kept in the store and listed by DescribeEvents; DescribeEventCategories lists the events lakebox
records.

An event is recorded where the thing happens (the cluster created, deleted, rebooted, paused,
resumed, restored or resized; a snapshot taken, copied or deleted; a scheduled action created or
deleted), dated by the service clock, with AWS's event id, category and wording where AWS documents
them (REDSHIFT-EVENT-2000 "Amazon Redshift cluster 'x' has been created at 2019-12-27 00:16 UTC and
is ready for use."). As on AWS, events are kept 14 days, and DescribeEvents answers the last hour
unless asked for another window. Rows are written through, so they survive a restart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

#: How long events are kept, and how far back DescribeEvents may look.
RETENTION = dt.timedelta(days=14)
SOURCE_TYPES = ("cluster", "cluster-parameter-group", "cluster-security-group", "cluster-snapshot",
                "scheduled-action")

#: Event id -> (source type, category, severity, description as AWS's event list words it).
CATALOG: dict[str, tuple[str, str, str, str]] = {
    "REDSHIFT-EVENT-1001": ("cluster", "configuration", "INFO", "Your Amazon Redshift cluster <cluster name> was "
                            "modified to use parameter group <parameter group name> at <time in UTC>."),
    "REDSHIFT-EVENT-2000": ("cluster", "management", "INFO", "Cluster <cluster name> created at <time in UTC>."),
    "REDSHIFT-EVENT-2001": ("cluster", "management", "INFO", "Cluster <cluster name> deleted at <time in UTC>."),
    "REDSHIFT-EVENT-2006": ("cluster", "management", "INFO", "Cluster <cluster name> resize started at "
                            "<time in UTC>."),
    "REDSHIFT-EVENT-3000": ("cluster", "monitoring", "INFO", "Your Amazon Redshift cluster <cluster name> was "
                            "rebooted at <time in UTC>."),
    "REDSHIFT-EVENT-3002": ("cluster", "monitoring", "INFO", "The resize for your Amazon Redshift cluster "
                            "<cluster name> is complete and your cluster is available for reads and writes."),
    "REDSHIFT-EVENT-3003": ("cluster", "monitoring", "INFO", "Amazon Redshift cluster <cluster name> was "
                            "successfully created from snapshot <snapshot name> and is available for use."),
    "REDSHIFT-EVENT-3618": ("cluster", "monitoring", "INFO", "The cluster <cluster name> pause operation started "
                            "at <time in UTC>."),
    "REDSHIFT-EVENT-3619": ("cluster", "monitoring", "INFO", "Amazon Redshift cluster <cluster name> was "
                            "successfully paused at <time in UTC>."),
    "REDSHIFT-EVENT-3620": ("cluster", "monitoring", "INFO", "The cluster <cluster name> resume operation started "
                            "at <time in UTC>."),
    "REDSHIFT-EVENT-3621": ("cluster", "monitoring", "INFO", "Amazon Redshift cluster <cluster name> was "
                            "successfully resumed at <time in UTC>."),
    "REDSHIFT-EVENT-2009": ("cluster-snapshot", "management", "INFO", "A user snapshot <snapshot name> for Amazon "
                            "Redshift Cluster <cluster name> started at <time in UTC>."),
    "REDSHIFT-EVENT-2011": ("cluster-snapshot", "management", "INFO", "The user snapshot <snapshot name> for "
                            "Amazon Redshift cluster <cluster name> was deleted at <time in UTC>."),
    "REDSHIFT-EVENT-2012": ("cluster-snapshot", "management", "INFO", "The final snapshot <snapshot name> for "
                            "Amazon Redshift cluster <cluster name> was started at <time in UTC>."),
    "REDSHIFT-EVENT-3004": ("cluster-snapshot", "monitoring", "INFO", "The user snapshot <snapshot name> for your "
                            "Amazon Redshift cluster <cluster name> completed successfully at <time in UTC>."),
    "REDSHIFT-EVENT-3005": ("cluster-snapshot", "monitoring", "INFO", "The final snapshot <snapshot name> for "
                            "Amazon Redshift cluster <cluster name> completed successfully at <time in UTC>."),
    "REDSHIFT-EVENT-3614": ("scheduled-action", "management", "INFO", "The scheduled action <scheduled action "
                            "name> was created at <time in UTC>. The first invocation is scheduled at <time in UTC>."),
    "REDSHIFT-EVENT-3627": ("scheduled-action", "management", "INFO", "Scheduled action <scheduled action name> "
                            "was deleted at <time in UTC>."),
}


def at(moment: dt.datetime) -> str:
    """How event messages write a time: `2019-12-27 00:16 UTC`."""
    return f"{moment.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC"


def _stored(moment: dt.datetime) -> str:
    """One fixed ISO form, so that stored dates compare as text."""
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


class EventsMixin:
    """Needs the provider's store and config (its clock)."""

    def record_event(self, account: str, region: str, event_id: str, source_id: str, message: str,
                     moment: Optional[dt.datetime] = None) -> None:
        """Keep one event; `message` may use `{at}` for the event's time as messages write it."""
        source_type, category, severity, _ = CATALOG[event_id]
        moment = moment or self.config.clock.now()
        self.store.add_event(account, {
            "Date": _stored(moment), "Region": region, "SourceIdentifier": source_id, "SourceType": source_type,
            "EventId": event_id, "EventCategories": [category], "Severity": severity,
            "Message": message.format(at=at(moment))})

    def describe_events(self, ctx: RequestContext, params: dict) -> dict:
        now = self.config.clock.now()
        source_id, source_type = params.get("SourceIdentifier"), params.get("SourceType")
        if source_type is not None and source_type not in SOURCE_TYPES:
            raise AwsError("InvalidParameterValue", f"Invalid source type: {source_type}. Valid values are "
                                                    f"{', '.join(SOURCE_TYPES)}.", 400)
        if source_id and source_type is None:
            raise AwsError("InvalidParameterCombination", "SourceType must be specified when SourceIdentifier "
                                                          "is specified.", 400)
        start, end, duration = params.get("StartTime"), params.get("EndTime"), params.get("Duration")
        if duration is not None and duration < 0:
            raise AwsError("InvalidParameterValue", "Duration must be a positive number of minutes.", 400)
        if start is None:
            start = (end or now) - dt.timedelta(minutes=60 if duration is None else duration)
        start = max(start, now - RETENTION)
        self.store.forget_events(_stored(now - RETENTION))
        rows = self.store.events(ctx.account_id, _stored(start))
        if end is not None:
            rows = [(seq, e) for seq, e in rows if e["Date"] <= _stored(end)]
        rows = [(seq, e) for seq, e in rows if e["Region"] == ctx.region
                and (source_type is None or e["SourceType"] == source_type)
                and (not source_id or e["SourceIdentifier"] == source_id)]
        limit = params.get("MaxRecords") or 100
        if not 20 <= limit <= 100:
            raise AwsError("InvalidParameterValue", "MaxRecords must be between 20 and 100.", 400)
        if params.get("Marker"):
            try:
                after = int(params["Marker"])
            except ValueError:
                raise AwsError("InvalidParameterValue", f"Invalid marker: {params['Marker']}", 400) from None
            rows = [(seq, e) for seq, e in rows if seq > after]
        out: dict[str, Any] = {"Events": [_shown(e) for _, e in rows[:limit]]}
        if len(rows) > limit:
            out["Marker"] = str(rows[limit - 1][0])
        return out

    def describe_event_categories(self, ctx: RequestContext, params: dict) -> dict:
        wanted = params.get("SourceType")
        if wanted is not None and wanted not in SOURCE_TYPES:
            raise AwsError("InvalidParameterValue", f"Invalid source type: {wanted}. Valid values are "
                                                    f"{', '.join(SOURCE_TYPES)}.", 400)
        maps = []
        for source_type in SOURCE_TYPES:
            if wanted is not None and source_type != wanted:
                continue
            events = [{"EventId": event_id, "EventCategories": [category], "EventDescription": description,
                       "Severity": severity}
                      for event_id, (kind, category, severity, description) in CATALOG.items() if kind == source_type]
            if events:
                maps.append({"SourceType": source_type, "Events": events})
        return {"EventCategoriesMapList": maps}


def _shown(event: dict) -> dict:
    out = {k: v for k, v in event.items() if k != "Region"}
    out["Date"] = dt.datetime.fromisoformat(event["Date"])
    return out
