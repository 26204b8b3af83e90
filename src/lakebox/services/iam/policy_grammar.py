"""The checks IAM makes on an identity policy document before it stores one, in IAM's order and words.

IAM reads a document in phases, and the first phase that fails names the error:
1. the grammar: JSON whose top level has only Version, Id and Statement, whose statements are
   objects with only the policy elements, of the right JSON types (strings, lists of strings, a
   Condition block of operator -> key -> values), with an Effect of Allow or Deny in any case and
   not both Action and NotAction (or Resource and NotResource): "Syntax errors in policy.";
2. the version: 2012-10-17 ("Policy document must be version 2012-10-17 or greater.");
3. what the older parser refuses, "The policy failed legacy parsing": an Effect not spelled
   exactly Allow or Deny, a date condition value that is no date, an `arn:aws:` resource of four
   or five parts or with no service;
4. each statement's meaning: unique Sids (empty ones may repeat), actions present and each
   `vendor:action` (or `*`), resources as ARNs (or `*`) of a known partition, IAM resources and S3
   buckets without a Region, and resources present.

Trust policies (roles' AssumeRolePolicyDocument) keep their own, smaller set of checks (common.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .common import malformed_policy

SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"
_TOP_KEYS = {"Version", "Id", "Statement"}
_STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                   "Condition"}
_PARTITIONS = {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
_IAM_RESOURCE_PREFIXES = ("user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
                          "server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/",
                          "access-report/")
_OPERATORS = {
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
    "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
    "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
    "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"}
_OPERATOR = re.compile(r"(?:(?:ForAllValues|ForAnyValue):)?([A-Za-z]+?)(IfExists)?")
_DATE = re.compile(r"(\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"
                   r"(?:[tT](?:(\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?)?)?"
                   r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?")
_VENDOR = re.compile(r"\S+")


def check_identity_policy(text: str) -> None:
    """Raise IAM's MalformedPolicyDocument for the first fault of the document, or return."""
    try:
        document = json.loads(text)
    except (TypeError, ValueError, RecursionError):  # RecursionError: nesting too deep to read
        raise malformed_policy(SYNTAX) from None
    statements = _grammar(document)
    if document.get("Version") != "2012-10-17":
        raise malformed_policy("Policy document must be version 2012-10-17 or greater.")
    for statement in statements:
        _legacy(statement)
    sids = [s["Sid"] for s in statements if s.get("Sid")]  # empty Sids may repeat
    if len(sids) != len(set(sids)):
        raise malformed_policy("Statement IDs (SID) in a single policy must be unique.")
    for statement in statements:
        _meaning(statement)


# -- 1. the grammar ----------------------------------------------------------------------------------


def _strings(value: Any, nulls: bool = False) -> bool:
    """A string, or a list of strings (IAM lets a resource list hold nulls, and skips them)."""
    if isinstance(value, str):
        return True
    return isinstance(value, list) and all(isinstance(v, str) or (nulls and v is None) for v in value)


def _grammar(document: Any) -> list[dict]:
    if not isinstance(document, dict) or set(document) - _TOP_KEYS or "Statement" not in document:
        raise malformed_policy(SYNTAX)
    if "Version" in document and document["Version"] not in ("2008-10-17", "2012-10-17"):
        raise malformed_policy(SYNTAX)
    if "Id" in document and not isinstance(document["Id"], str):
        raise malformed_policy(SYNTAX)
    statements = document["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    if not statements:
        raise malformed_policy(SYNTAX)
    for statement in statements:
        if not isinstance(statement, dict) or set(statement) - _STATEMENT_KEYS:
            raise malformed_policy(SYNTAX)
        if "Sid" in statement and not isinstance(statement["Sid"], str):
            raise malformed_policy(SYNTAX)
        effect = statement.get("Effect")
        if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
            raise malformed_policy(SYNTAX)
        for one, other in (("Action", "NotAction"), ("Resource", "NotResource")):
            if one in statement and other in statement:
                raise malformed_policy(SYNTAX)
            for key in (one, other):
                if key in statement and not _strings(statement[key], nulls=one == "Resource"):
                    raise malformed_policy(SYNTAX)
        if "Condition" in statement:
            _condition_grammar(statement["Condition"])
    return statements


def _condition_value(value: Any) -> bool:
    return isinstance(value, (str, bool, int, float))


def _condition_grammar(condition: Any) -> None:
    if not isinstance(condition, dict):
        raise malformed_policy(SYNTAX)
    for operator, block in condition.items():
        if not isinstance(block, dict):
            raise malformed_policy(SYNTAX)
        if not block:
            continue  # IAM lets an empty block through, whatever its operator
        match = _OPERATOR.fullmatch(operator)
        if match is None or match.group(1) not in _OPERATORS or (match.group(2) and match.group(1) == "Null"):
            raise malformed_policy(SYNTAX)
        for values in block.values():
            items = values if isinstance(values, list) else [values]
            if not all(_condition_value(v) for v in items):
                raise malformed_policy(SYNTAX)


# -- 3. the legacy parser ------------------------------------------------------------------------------


def _is_date(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    text = str(value)
    if re.fullmatch(r"-?\d+", text):
        return -(2 ** 63) <= int(text) < 2 ** 63  # seconds since the epoch, as a Java long
    match = _DATE.fullmatch(text)
    if match is None:
        return False
    month, day, hour = (int(g) if g else None for g in (match.group(2), match.group(3), match.group(4)))
    return (month is None or 1 <= month <= 12) and (day is None or 1 <= day <= 31) and (hour is None or hour <= 24)


def _listed(statement: dict, key: str) -> list:
    value = statement.get(key)
    return [] if value is None else [v for v in (value if isinstance(value, list) else [value]) if v is not None]


def _legacy(statement: dict) -> None:
    if statement["Effect"] not in ("Allow", "Deny"):
        raise malformed_policy(LEGACY)
    for operator, block in (statement.get("Condition") or {}).items():
        match = _OPERATOR.fullmatch(operator)
        if match is None or not match.group(1).startswith("Date"):
            continue
        for values in block.values():
            if not all(_is_date(v) for v in (values if isinstance(values, list) else [values])):
                raise malformed_policy(LEGACY)
    for resource in _listed(statement, "Resource") + _listed(statement, "NotResource"):
        if resource.startswith("arn:aws:"):
            parts = resource.split(":", 5)
            if len(parts) in (4, 5) or not parts[2]:  # `arn:aws:<service>` alone passes
                raise malformed_policy(LEGACY)


# -- 4. the statement's meaning ------------------------------------------------------------------------


def _meaning(statement: dict) -> None:
    actions = _listed(statement, "Action") + _listed(statement, "NotAction")
    if not actions:
        raise malformed_policy("Policy statement must contain actions.")
    for resource in _listed(statement, "Resource") + _listed(statement, "NotResource"):
        _check_resource(resource)
    for action in actions:
        _check_action(action)
    if not (_listed(statement, "Resource") + _listed(statement, "NotResource")):
        raise malformed_policy("Policy statement must contain resources.")


def _check_action(action: str) -> None:
    if action == "*":
        return
    if ":" not in action:
        raise malformed_policy("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
    vendor, _, rest = action.partition(":")
    if ":" in rest:
        raise malformed_policy("Actions/Condition can contain only one colon.")
    if not _VENDOR.fullmatch(vendor):
        raise malformed_policy(f"Vendor {vendor} is not valid")


def _check_resource(resource: str) -> None:
    if resource == "*":
        return
    if not resource.startswith("arn:"):
        if ":" not in resource:
            raise malformed_policy(f'Resource {resource} must be in ARN format or "*".')
        # IAM reads anything with a colon as an ARN missing its `arn` and its last parts.
        parts = ["arn", *resource.split(":")[1:]]
        resource = ":".join(parts + ["*"] * (6 - len(parts)))
    parts = resource.split(":", 5)
    if len(parts) < 3:
        raise malformed_policy("Resource vendor must be fully qualified and cannot contain regexes.")
    parts += ["*"] * (6 - len(parts))
    partition, service, region = parts[1], parts[2], parts[3]
    if partition not in _PARTITIONS:
        raise malformed_policy(f'Partition "{partition}" is not valid for resource "{resource}".')
    if service == "iam":
        if region:
            raise malformed_policy(f"IAM resource {resource} cannot contain region information.")
        if parts[5] != "*" and not parts[5].startswith(_IAM_RESOURCE_PREFIXES):
            raise malformed_policy('IAM resource path must either be "*" or start with '
                                   + ", ".join(_IAM_RESOURCE_PREFIXES) + ".")
    elif service == "s3" and region and not parts[4]:
        # A bucket's ARN has no Region (and no account); an access point's has both.
        raise malformed_policy(f"Resource {resource} can not contain region information.")
