"""AWS managed policies (`arn:aws:iam::aws:policy/...`): the ones lakebox knows, and how any other is treated.

Setup scripts attach AWS's policies to the roles of the data stack (AWSGlueServiceRole on a crawler's
role, AmazonS3FullAccess, the EMR roles) and tools read them back: `aws emr create-default-roles`
prints each default role's policy document through GetPolicy and GetPolicyVersion. For the policies
of the data stack, `aws_managed_policies.json` holds what AWS publishes: the path, the default version,
that version's date and its document, so those answers are AWS's own. AWS does not publish a policy's
first creation date there, so the default version's date stands for both CreateDate and UpdateDate.

Any other name under `arn:aws:iam::aws:policy/` is still accepted as attachable (lakebox does not carry
AWS's whole catalogue of about 1,300 policies), but its document is unknown, so GetPolicyVersion on it
is NoSuchEntity. A known policy named under the wrong path is NoSuchEntity, as on AWS.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Optional

AWS_MANAGED = re.compile(r"arn:aws[a-z-]*:iam::aws:policy(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]+)")


@functools.cache
def _known() -> dict[str, dict]:
    with open(Path(__file__).with_name("aws_managed_policies.json"), encoding="utf-8") as f:
        return json.load(f)["policies"]


def is_aws_managed(policy_arn: str) -> bool:
    """An ARN AWS could have a managed policy at: in AWS's namespace, and at its path if lakebox knows it."""
    match = AWS_MANAGED.fullmatch(policy_arn)
    if match is None:
        return False
    known = _known().get(match.group(2))
    return known is None or known["Path"] == match.group(1)


def known_policy(policy_arn: str) -> Optional[dict]:
    """What AWS publishes about this managed policy (Path, DefaultVersionId, CreateDate, Document), if known."""
    match = AWS_MANAGED.fullmatch(policy_arn)
    if match is None:
        return None
    known = _known().get(match.group(2))
    return known if known is not None and known["Path"] == match.group(1) else None


def known_policy_arns(partition: str = "aws") -> list[str]:
    """The ARNs of every AWS managed policy lakebox knows, for ListPolicies."""
    return [f"arn:{partition}:iam::aws:policy{record['Path']}{name}" for name, record in _known().items()]


def name_and_path(policy_arn: str) -> tuple[str, str]:
    match = AWS_MANAGED.fullmatch(policy_arn)
    return match.group(2), match.group(1)
