"""SimulatePrincipalPolicy and SimulateCustomPolicy: identity policies evaluated the way IAM's simulator does.

lakebox enforces no policy on requests, but tools ask the simulator whether a role or user may do
something before they try. The answer is computed from the stored documents: an explicit Deny wins,
then an Allow, and anything else is an implicit deny. A permissions boundary must allow the action too.
Actions match without case and resources with case, both with `*` and `?` wildcards; NotAction and
NotResource invert the match. Conditions are checked against the request's ContextEntries for the
String, Arn, Bool and Null operators (and their IfExists forms); a key the context lacks is reported in
MissingContextValues and fails the condition, and an operator not listed here never matches.

Matched statements carry the statement's position in the document as the simulator reports it:
line from 1, and a column one past the 1-based column of the statement's opening and closing brace.
"""

from __future__ import annotations

import json
import re
from typing import Optional

from ...protocol.context import RequestContext
from .aws_managed import known_policy
from .common import invalid_input, malformed_policy, no_such_entity, page

_POLICY_TYPE = "IAM Policy"  # what AWS reports for every identity policy, managed or inline
_ARN_ENTITY = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):(user|role|group)/(?:[\x21-\x7e]*/)?([\w+=,.@-]+)")


def _wildcard(pattern: str, *, ignore_case: bool) -> re.Pattern:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _matches_any(patterns, value: str, *, ignore_case: bool) -> bool:
    return any(_wildcard(str(p), ignore_case=ignore_case).fullmatch(value) for p in _as_list(patterns))


def statement_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each statement object in a policy document's text, in order."""
    spans, stack, key, last_string, start = [], [], None, None, None
    i = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            last_string = json.loads(text[i:j + 1])
            i = j
        elif c == ":" and len(stack) == 1:
            key = last_string
        elif c in "{[":
            if c == "{" and key == "Statement" and stack in (["{"], ["{", "["]):
                start = i
            stack.append(c)
        elif c in "}]":
            stack.pop()
            if c == "}" and start is not None and stack in (["{"], ["{", "["]):
                spans.append((start, i))
                start = None
        i += 1
    return spans


def _position(text: str, offset: int) -> dict:
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return {"Line": line + 1, "Column": column + 2}


class _Policy:
    def __init__(self, source_id: str, text: str):
        self.source_id = source_id
        self.text = text
        try:
            document = json.loads(text)
        except ValueError:
            raise malformed_policy("This policy contains invalid Json") from None
        self.statements = _as_list(document.get("Statement", [])) if isinstance(document, dict) else []
        spans = statement_spans(text)
        self.spans = spans if len(spans) == len(self.statements) else [(0, len(text) - 1)] * len(self.statements)

    def matched(self, index: int) -> dict:
        start, end = self.spans[index]
        return {"SourcePolicyId": self.source_id, "SourcePolicyType": _POLICY_TYPE,
                "StartPosition": _position(self.text, start), "EndPosition": _position(self.text, end)}


def _context(params: dict) -> dict[str, list[str]]:
    return {e["ContextKeyName"].lower(): [str(v) for v in e.get("ContextKeyValues", [])]
            for e in params.get("ContextEntries") or []}


_STRING_OPERATORS = {
    "stringequals": (False, False, False), "stringnotequals": (True, False, False),
    "stringequalsignorecase": (False, True, False), "stringnotequalsignorecase": (True, True, False),
    "stringlike": (False, False, True), "stringnotlike": (True, False, True),
    "arnequals": (False, False, True), "arnlike": (False, False, True),
    "arnnotequals": (True, False, True), "arnnotlike": (True, False, True),
}


def _condition_holds(operator: str, key: str, expected, context: dict, missing: set) -> bool:
    op = operator.lower()
    if_exists = op.endswith("ifexists")
    op = op[:-len("ifexists")] if if_exists else op
    values = context.get(key.lower())
    if op == "null":
        return (values is None) == (str(_as_list(expected)[0]).lower() == "true")
    if values is None:
        if not if_exists:
            missing.add(key)
        return if_exists
    if op == "bool":
        return any(v.lower() == str(e).lower() for v in values for e in _as_list(expected))
    if op not in _STRING_OPERATORS:
        return False
    negated, ignore_case, like = _STRING_OPERATORS[op]
    if like:
        hit = any(_matches_any(expected, v, ignore_case=ignore_case) for v in values)
    else:
        hit = any((v.lower() == str(e).lower()) if ignore_case else v == str(e) for v in values for e in _as_list(expected))
    return hit != negated


def _applies(statement: dict, action: str, resource: str, context: dict, missing: set) -> bool:
    if "Action" in statement and not _matches_any(statement["Action"], action, ignore_case=True):
        return False
    if "NotAction" in statement and _matches_any(statement["NotAction"], action, ignore_case=True):
        return False
    if "Resource" in statement and not _matches_any(statement["Resource"], resource, ignore_case=False):
        return False
    if "NotResource" in statement and _matches_any(statement["NotResource"], resource, ignore_case=False):
        return False
    conditions = statement.get("Condition") or {}
    results = [_condition_holds(op, key, expected, context, missing)
               for op, block in conditions.items() for key, expected in block.items()]
    return all(results)


def _decide(policies: list[_Policy], action: str, resource: str, context: dict, missing: set):
    """('allowed' | 'explicitDeny' | 'implicitDeny', the statements that decided it)."""
    allows, denies = [], []
    for policy in policies:
        for index, statement in enumerate(policy.statements):
            if isinstance(statement, dict) and _applies(statement, action, resource, context, missing):
                (denies if statement.get("Effect") == "Deny" else allows).append(policy.matched(index))
    if denies:
        return "explicitDeny", denies
    return ("allowed", allows) if allows else ("implicitDeny", [])


def _combined(decisions: list[str]) -> str:
    if "explicitDeny" in decisions:
        return "explicitDeny"
    return "allowed" if decisions and all(d == "allowed" for d in decisions) else "implicitDeny"


class SimulationMixin:
    def simulate_principal_policy(self, ctx: RequestContext, params: dict) -> dict:
        policies, boundary = self._principal_policies(ctx, params["PolicySourceArn"])
        policies += self._input_policies(params.get("PolicyInputList"), "PolicyInputList")
        boundary_input = self._input_policies(params.get("PermissionsBoundaryPolicyInputList"),
                                              "PermissionsBoundaryPolicyInputList")
        return self._simulate(params, policies, boundary_input or boundary)

    def simulate_custom_policy(self, ctx: RequestContext, params: dict) -> dict:
        policies = self._input_policies(params["PolicyInputList"], "PolicyInputList")
        boundary = self._input_policies(params.get("PermissionsBoundaryPolicyInputList"),
                                        "PermissionsBoundaryPolicyInputList")
        return self._simulate(params, policies, boundary or None)

    @staticmethod
    def _input_policies(texts: Optional[list[str]], member: str) -> list[_Policy]:
        return [_Policy(f"{member}.{n}", text) for n, text in enumerate(texts or [], start=1)]

    def _managed_document(self, ctx: RequestContext, policy_arn: str) -> Optional[str]:
        known = known_policy(policy_arn)
        if known is not None:
            return json.dumps(known["Document"], indent=4)
        doc = self.store.get(ctx.account_id, "policy", policy_arn)
        if doc is None:
            return None  # an AWS managed policy lakebox has no document for
        return next(v["Document"] for v in doc["Versions"] if v["VersionId"] == doc["DefaultVersionId"])

    def _holder_policies(self, ctx: RequestContext, doc: dict) -> list[_Policy]:
        policies = [_Policy(name, text) for name, text in (doc.get("InlinePolicies") or {}).items()]
        for policy_arn in doc.get("AttachedPolicies") or []:
            text = self._managed_document(ctx, policy_arn)
            if text is not None:
                policies.append(_Policy(policy_arn.rsplit("/", 1)[-1], text))
        return policies

    def _principal_policies(self, ctx: RequestContext, source_arn: str):
        """The identity policies of a user (with its groups'), role or group, and its boundary policy."""
        match = _ARN_ENTITY.fullmatch(source_arn)
        if match is None:
            raise invalid_input(f"Invalid ARN: {source_arn}")
        account, kind, name = match.groups()
        if account != ctx.account_id:
            raise no_such_entity(f"The {kind} with name {name} cannot be found.")
        doc = self.store.get(ctx.account_id, kind, name)
        if doc is None or doc["Arn"] != source_arn:
            raise no_such_entity(f"The {kind} with name {name} cannot be found.")
        policies = self._holder_policies(ctx, doc)
        if kind == "user":
            for group in self.groups_of(ctx, doc):
                policies += self._holder_policies(ctx, group)
        boundary = None
        boundary_arn = (doc.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary_arn:
            text = self._managed_document(ctx, boundary_arn)
            boundary = [_Policy(boundary_arn.rsplit("/", 1)[-1], text)] if text is not None else None
        return policies, boundary

    def _simulate(self, params: dict, policies: list[_Policy], boundary: Optional[list[_Policy]]) -> dict:
        context = _context(params)
        resources = params.get("ResourceArns") or ["*"]
        results = []
        for action in params["ActionNames"]:
            missing: set[str] = set()
            per_resource, bounded = [], []
            for resource in resources:
                decision, matched = _decide(policies, action, resource, context, missing)
                if boundary is not None:
                    allowed_by_boundary = _decide(boundary, action, resource, context, missing)[0] == "allowed"
                    bounded.append(allowed_by_boundary)
                    if decision == "allowed" and not allowed_by_boundary:
                        decision, matched = "implicitDeny", []
                per_resource.append({"EvalResourceName": resource, "EvalResourceDecision": decision,
                                     "MatchedStatements": matched, "MissingContextValues": sorted(missing)})
            result = {"EvalActionName": action,
                      "EvalResourceName": resources[0] if len(resources) == 1 else "*",
                      "EvalDecision": _combined([r["EvalResourceDecision"] for r in per_resource]),
                      "MatchedStatements": [m for r in per_resource for m in r["MatchedStatements"]],
                      "MissingContextValues": sorted(missing),
                      "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
                      "EvalDecisionDetails": {},
                      "ResourceSpecificResults": per_resource}
            if boundary is not None:
                result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": all(bounded)}
            results.append(result)
        numbered = list(enumerate(results))
        out = page(numbered, params, "EvaluationResults", lambda item: f"{item[0]:06d}")
        out["EvaluationResults"] = [result for _, result in out["EvaluationResults"]]
        return out
