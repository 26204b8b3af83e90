"""Cluster parameter groups: create, describe, modify, reset and delete them, and give one to a cluster.

Every account has the default groups `default.redshift-1.0` and `default.redshift-2.0`, which cannot
be changed; a custom group starts from its family's defaults (Source `engine-default`), and a value
set with ModifyClusterParameterGroup becomes Source `user`. A cluster without a group uses its
family's default group.

What a group changes in lakebox (for sessions that start after the change, dynamic or static):
- `enable_user_activity_logging`: whether audit logging writes the useractivitylog (as on AWS, it
  must be true for that log, whatever LogExports says);
- `search_path`: the schemas a session's unqualified names resolve in;
- `enable_case_sensitive_identifier`: whether a session's quoted names keep their case (a session
  may SET it; RESET returns to the group's value);
- `statement_timeout`: the milliseconds after which a session's statement is cancelled (SQLSTATE
  57014), as `SET statement_timeout` does for one session;
- `require_ssl`: whether the Postgres endpoint refuses connections without TLS (FATAL 28000, "no
  pg_hba.conf entry ... SSL off"); TLS itself is served on every cluster (engines/redshift/tls.py).
  It defaults to false here (AWS's default became true in 2025), so that clients set up for
  lakebox with `ssl=False` keep working.
The others are kept and shown, not applied.
"""

from __future__ import annotations

import copy
import re
from typing import Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

FAMILIES = ("redshift-1.0", "redshift-2.0")
DEFAULT_FAMILY = "redshift-2.0"
_UPDATED = ("Your parameter group has been updated. If you changed only dynamic parameters, associated clusters "
            "are being modified now. If you changed static parameters, all updates, including dynamic "
            "parameters, will be applied when you reboot the associated clusters.")
_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")

# name: (default value, data type, allowed values, apply type, description)
_PARAMETERS = {
    "auto_analyze": ("true", "boolean", "true,false", "static", "Use auto analyze"),
    "auto_mv": ("true", "boolean", "true,false", "static", "Use automatic materialized views"),
    "datestyle": ("ISO, MDY", "string", None, "static", "Sets the display format for date and time values."),
    "enable_case_sensitive_identifier": ("false", "boolean", "true,false", "static",
                                         "Preserve case sensitivity for database identifiers such as table or "
                                         "column names in parser"),
    "enable_user_activity_logging": ("false", "boolean", "true,false", "static",
                                     "parameter for audit logging purpose"),
    "extra_float_digits": ("0", "integer", "-15-2", "static",
                           "Sets the number of digits displayed for floating-point values"),
    "max_concurrency_scaling_clusters": ("1", "integer", "0-10", "dynamic",
                                         "The maximum concurrency scaling clusters can be used."),
    "query_group": ("default", "string", None, "static", "This parameter applies a user-defined label to a group "
                                                          "of queries that are run during the same session.."),
    "require_ssl": ("false", "boolean", "true,false", "static", "require ssl for all databaseconnections"),
    "search_path": ("$user, public", "string", None, "static",
                    "Sets the schema search order for names that are not schema-qualified."),
    "statement_timeout": ("0", "integer", "0,100-2147483647", "static",
                          "Aborts any statement that takes over the specified number of milliseconds."),
    "use_fips_ssl": ("false", "boolean", "true,false", "static", "Use fips ssl library"),
    "wlm_json_configuration": ('[{"auto_wlm":true}]', "string", None, "static", "wlm json configuration"),
}


def _fault(code: str, message: str, status: int = 400) -> AwsError:
    return AwsError(code, message, status)


def not_found(name: str) -> AwsError:
    return _fault("ClusterParameterGroupNotFound", f"ParameterGroup not found: {name}", 404)


def default_group(family: str) -> str:
    return f"default.{family}"


def family_parameters(family: str, values: Optional[dict] = None) -> list[dict]:
    """The family's parameters as the API lists them, with `values` (set by users) applied."""
    values = values or {}
    out = []
    for name, (default, kind, allowed, apply_type, description) in _PARAMETERS.items():
        parameter = {"ParameterName": name, "ParameterValue": values.get(name, default), "Description": description,
                     "Source": "user" if name in values else "engine-default", "DataType": kind,
                     "ApplyType": apply_type, "IsModifiable": True, "MinimumEngineVersion": "1.0"}
        if allowed:
            parameter["AllowedValues"] = allowed
        out.append(parameter)
    return out


def _checked_value(name: str, value: str) -> str:
    spec = _PARAMETERS.get(name)
    if spec is None:
        raise _fault("InvalidParameterValue", f"Could not find parameter with name: {name}")
    kind, allowed = spec[1], spec[2]
    if kind == "boolean":
        if value.strip().lower() not in ("true", "false"):
            raise _fault("InvalidParameterValue", f"Value ({value}) for parameter {name} is invalid. Must be a "
                                                  "boolean value")
        return value.strip().lower()
    if kind == "integer":
        try:
            number = int(value)
        except ValueError:
            raise _fault("InvalidParameterValue", f"Value ({value}) for parameter {name} is invalid. Must be an "
                                                  "integer value") from None
        ranges = [re.fullmatch(r"(-?\d+)(?:-(-?\d+))?", part).groups() for part in allowed.split(",")]
        ranges = [(low, high if high is not None else low) for low, high in ranges]
        if not any(int(low) <= number <= int(high) for low, high in ranges):
            raise _fault("InvalidParameterValue", f"Value ({value}) for parameter {name} is invalid. Must be in "
                                                  f"range {allowed}")
        return str(number)
    return value


def _parameter_name(parameter: dict) -> str:
    if not parameter.get("ParameterName"):
        raise _fault("InvalidParameterValue", "Each parameter must have a ParameterName.")
    return parameter["ParameterName"]


def session_settings(values: dict) -> dict:
    """What new sessions take from a group: {"search_path": [schemas], "user_activity": bool,
    "statement_timeout_ms": int, "require_ssl": bool, "case_sensitive_identifiers": bool}."""
    path = values.get("search_path", _PARAMETERS["search_path"][0])
    schemas = [s.strip().strip('"') for s in path.split(",") if s.strip() and s.strip() != "$user"]
    return {"search_path": schemas or ["public"],
            "user_activity": values.get("enable_user_activity_logging", "false") == "true",
            "statement_timeout_ms": int(values.get("statement_timeout", "0")),
            "require_ssl": values.get("require_ssl", _PARAMETERS["require_ssl"][0]) == "true",
            "case_sensitive_identifiers": values.get("enable_case_sensitive_identifier", "false") == "true"}


class ParameterGroupsMixin:
    """Needs the provider's store and `_save_doc`; groups are kept in the store's parameter_groups table."""

    # -- look-ups -----------------------------------------------------------------------------------

    def _group(self, ctx: RequestContext, name: str) -> dict:
        """A group's document: {"ParameterGroupName", "ParameterGroupFamily", "Description", "Tags", "Values"}."""
        for family in FAMILIES:
            if name == default_group(family):
                return {"ParameterGroupName": name, "ParameterGroupFamily": family,
                        "Description": f"Default parameter group for {family}", "Tags": [], "Values": {},
                        "Default": True}
        doc = self.store.get_parameter_group(ctx.account_id, name)
        if doc is None or doc.get("Region") != ctx.region:
            raise not_found(name)
        return doc

    def cluster_group_values(self, account: str, doc: dict) -> dict:
        """The parameter values a cluster's sessions run with (its group's, else the defaults)."""
        name = doc.get("ClusterParameterGroupName") or ""
        group = self.store.get_parameter_group(account, name) if not name.startswith("default.") else None
        return dict(group["Values"]) if group else {}

    def _resolve_group_name(self, ctx: RequestContext, name: Optional[str]) -> str:
        if not name:
            return default_group(DEFAULT_FAMILY)
        return self._group(ctx, name)["ParameterGroupName"]

    @staticmethod
    def _group_output(doc: dict) -> dict:
        return {k: copy.deepcopy(doc[k]) for k in ("ParameterGroupName", "ParameterGroupFamily", "Description", "Tags")}

    # -- the operations ---------------------------------------------------------------------------

    def create_cluster_parameter_group(self, ctx: RequestContext, params: dict) -> dict:
        name, family = params["ParameterGroupName"].lower(), params["ParameterGroupFamily"]
        if not _NAME.fullmatch(name) or len(name) > 255:
            raise _fault("InvalidParameterValue", "The parameter group name must be 1 to 255 letters, digits or "
                                                  "hyphens, start with a letter, and contain no two consecutive "
                                                  "hyphens nor end with one.")
        if family not in FAMILIES:
            raise _fault("InvalidParameterValue", f"Could not find parameter group family: {family}")
        with self.store.lock:
            if self.store.get_parameter_group(ctx.account_id, name) is not None:
                raise _fault("ClusterParameterGroupAlreadyExists", f"Parameter group {name} already exists")
            doc = {"ParameterGroupName": name, "ParameterGroupFamily": family, "Region": ctx.region,
                   "Description": params.get("Description") or "",
                   "Tags": [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []],
                   "Values": {}}
            self.store.put_parameter_group(ctx.account_id, doc)
        return {"ClusterParameterGroup": self._group_output(doc)}

    def describe_cluster_parameter_groups(self, ctx: RequestContext, params: dict) -> dict:
        if params.get("ParameterGroupName"):
            docs = [self._group(ctx, params["ParameterGroupName"])]
        else:
            docs = [self._group(ctx, default_group(f)) for f in FAMILIES]
            docs += [d for d in self.store.parameter_groups(ctx.account_id) if d.get("Region") == ctx.region]
        keys, values = set(params.get("TagKeys") or []), set(params.get("TagValues") or [])
        if keys or values:
            docs = [d for d in docs if any((not keys or t["Key"] in keys) and (not values or t["Value"] in values)
                                           for t in d.get("Tags", []))]
        from .provider import page

        return page(docs, params, "ParameterGroupName", "ParameterGroups", self._group_output)

    def describe_cluster_parameters(self, ctx: RequestContext, params: dict) -> dict:
        doc = self._group(ctx, params["ParameterGroupName"])
        parameters = family_parameters(doc["ParameterGroupFamily"], doc["Values"])
        if params.get("Source"):
            parameters = [p for p in parameters if p["Source"] == params["Source"]]
        return {"Parameters": parameters}

    def describe_default_cluster_parameters(self, ctx: RequestContext, params: dict) -> dict:
        family = params["ParameterGroupFamily"]
        if family not in FAMILIES:
            raise _fault("InvalidParameterValue", f"Could not find parameter group family: {family}")
        return {"DefaultClusterParameters": {"ParameterGroupFamily": family, "Parameters": family_parameters(family)}}

    def modify_cluster_parameter_group(self, ctx: RequestContext, params: dict) -> dict:
        changes = {}
        for parameter in params["Parameters"]:
            name = _parameter_name(parameter)
            if parameter.get("ParameterValue") is None:
                raise _fault("InvalidParameterValue", f"A value must be given for parameter {name}.")
            changes[name] = _checked_value(name, parameter["ParameterValue"])
        return self._change_values(ctx, params["ParameterGroupName"], lambda values: {**values, **changes})

    def reset_cluster_parameter_group(self, ctx: RequestContext, params: dict) -> dict:
        names = [_parameter_name(p) for p in params.get("Parameters") or []]
        if not params.get("ResetAllParameters") and not names:
            raise _fault("InvalidParameterValue", "Either ResetAllParameters or Parameters must be given.")
        for name in names:
            if name not in _PARAMETERS:
                raise _fault("InvalidParameterValue", f"Could not find parameter with name: {name}")
        return self._change_values(ctx, params["ParameterGroupName"], lambda values: (
            {} if params.get("ResetAllParameters") else {k: v for k, v in values.items() if k not in names}))

    def _change_values(self, ctx: RequestContext, name: str, change) -> dict:
        with self.store.lock:
            doc = self._group(ctx, name)
            if doc.get("Default"):
                raise _fault("InvalidClusterParameterGroupState", "Cannot modify a default parameter group.")
            doc["Values"] = change(dict(doc["Values"]))
            self.store.put_parameter_group(ctx.account_id, doc)
        return {"ParameterGroupName": doc["ParameterGroupName"], "ParameterGroupStatus": _UPDATED}

    def delete_cluster_parameter_group(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._group(ctx, params["ParameterGroupName"])
            if doc.get("Default"):
                raise _fault("InvalidClusterParameterGroupState", "Cannot delete a default parameter group.")
            users = [c["ClusterIdentifier"] for c in self.store.all(ctx.account_id)
                     if c.get("ClusterParameterGroupName") == doc["ParameterGroupName"]]
            if users:
                raise _fault("InvalidClusterParameterGroupState", f"Cannot delete parameter group "
                                                                  f"{doc['ParameterGroupName']}: it is used by "
                                                                  f"cluster {users[0]}.")
            self.store.delete_parameter_group(ctx.account_id, doc["ParameterGroupName"])
        return {}
