"""IAM benchmark: lakebox against moto's server, in one run, with the same boto3 client code.

IAM is control-plane state, so what is measured is what a pipeline or a Terraform plan does to it
(one client per thread, as parallel `terraform apply` workers would have):
- create: CreateRole (a trust policy of its own per role) + PutRolePolicy + AttachRolePolicy of one
  customer managed policy made beforehand, for N roles from 4 threads, in ops/s;
- look up: GetRole and ListAttachedRolePolicies on random roles from 8 threads, in ops/s;
- list: ListRoles paged with MaxItems=100 through all N roles, in seconds (the best of 3 passes);
- policy versions: CreatePolicyVersion (SetAsDefault) + ListPolicyVersions + DeletePolicyVersion of the
  oldest, so a policy never passes IAM's five versions, on a policy per thread from 4 threads, in ops/s;
- teardown: DetachRolePolicy + DeleteRolePolicy + DeleteRole for every role from 4 threads, in ops/s.
Every answer is checked, so a fast wrong answer cannot score: each looked-up role must have its name,
its ARN, the trust policy sent for it (as botocore decodes it) and exactly the one attached policy;
ListRoles must give each of the N names once; every cycle's list must show the version just made as
the only default; a sample of inline policies must read back as sent; the shared policy's
AttachmentCount must be N after the creates and 0 after the teardown, and ListRoles must then be empty.
A server that fails a check shows `wrong` in the table, and the reason is printed under it. The
server's CPU seconds are measured too: on 2 shared cores boto3's own work takes much of the machine,
and work per server CPU second is what that disturbs least. No assertions on timings.

    .venv/bin/pip install 'moto[server]==5.2.1'      # the bench extra
    .venv/bin/python bench/iam_bench.py [--quick] [--only lakebox|moto] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from firehose_bench import boto, cell, deal, moto_available, on_threads, ratio  # noqa: E402
from s3_bench import Server, start_lakebox, start_moto  # noqa: E402

WRITE_THREADS = 4
READ_THREADS = 8
PAGE = 100
LIST_REPEAT = 3  # a full listing takes well under a second: the best of a few is less noisy
PATH = "/bench/"
POLICY = "bench-shared"
MAX_VERSIONS = 5  # IAM's limit per managed policy
INLINE_SAMPLE = 25
SHOWN_PROBLEMS = 3


# ---------------------------------------------------------------- documents

def role_name(i: int) -> str:
    return f"bench-role-{i:05d}"


def trust(name: str) -> dict:
    """A trust policy unique to its role (the ExternalId), so another role's answer cannot pass."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": name}}}]}


def permissions(resource: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": resource}]}


def inline(name: str) -> dict:
    return permissions(f"arn:aws:s3:::bench-lake/{name}/*")


class Problems:
    """What a correct server would not have answered, by phase; a few examples of each are kept."""

    def __init__(self):
        self.found: dict[str, list[str]] = {}

    def add(self, phase: str, what: str) -> None:
        self.found.setdefault(phase, []).append(what)

    def extend(self, phase: str, found: list[str]) -> None:
        for what in found:
            self.add(phase, what)


# ---------------------------------------------------------------- phases

def create_roles(iam, names: list[str], policy_arn: str, role_arn) -> list[str]:
    """CreateRole + PutRolePolicy + AttachRolePolicy per role; what was wrong in the answers."""
    wrong = []
    for name in names:
        role = iam.create_role(RoleName=name, Path=PATH, AssumeRolePolicyDocument=json.dumps(trust(name)))["Role"]
        if (role.get("RoleName"), role.get("Arn")) != (name, role_arn(name)):
            wrong.append(f"CreateRole {name} answered {role.get('RoleName')} {role.get('Arn')}")
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=json.dumps(inline(name)))
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    return wrong


def look_up(iam, names: list[str], policy_arn: str, role_arn) -> list[str]:
    wrong = []
    for name in names:
        role = iam.get_role(RoleName=name)["Role"]
        got = (role.get("RoleName"), role.get("Arn"), role.get("AssumeRolePolicyDocument"))
        if got != (name, role_arn(name), trust(name)):
            wrong.append(f"GetRole {name} answered {got}")
        attached = iam.list_attached_role_policies(RoleName=name)
        if attached["AttachedPolicies"] != [{"PolicyName": POLICY, "PolicyArn": policy_arn}] \
                or attached["IsTruncated"]:
            wrong.append(f"ListAttachedRolePolicies {name} answered {attached['AttachedPolicies']}")
    return wrong


def list_roles(iam) -> tuple[list[str], int, list[str]]:
    """Every role name by ListRoles with MaxItems=100, following Marker; (names, pages, problems)."""
    names, pages, wrong, marker = [], 0, [], None
    while True:
        answer = iam.list_roles(MaxItems=PAGE, **({"Marker": marker} if marker else {}))
        pages += 1
        if len(answer["Roles"]) > PAGE:
            wrong.append(f"a page of {len(answer['Roles'])} roles for MaxItems={PAGE}")
        names += [r["RoleName"] for r in answer["Roles"]]
        if not answer.get("IsTruncated"):
            return names, pages, wrong
        marker = answer.get("Marker")
        if not marker:
            wrong.append("IsTruncated without a Marker")
            return names, pages, wrong


def check_listed(listed: list[str], expected: list[str]) -> list[str]:
    wrong = []
    if len(listed) != len(set(listed)):
        wrong.append(f"{len(listed) - len(set(listed))} name(s) listed twice")
    missing, extra = set(expected) - set(listed), set(listed) - set(expected)
    if missing or extra:
        wrong.append(f"{len(missing)} role(s) missing (e.g. {sorted(missing)[:2]}), "
                     f"{len(extra)} not created (e.g. {sorted(extra)[:2]})")
    return wrong


def cycle_versions(iam, policy_arn: str, cycles: int) -> tuple[int, list[str]]:
    """Make a new default version, list the versions, and delete the oldest once IAM's limit is
    reached; (calls made, problems). The last document made must then be the default one."""
    calls, wrong, document = 0, [], None
    for c in range(cycles):
        document = permissions(f"arn:aws:s3:::bench-lake/{policy_arn.rsplit('/', 1)[1]}/{c}/*")
        made = iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=json.dumps(document),
                                         SetAsDefault=True)["PolicyVersion"]["VersionId"]
        versions = iam.list_policy_versions(PolicyArn=policy_arn)["Versions"]
        calls += 2
        defaults = [v["VersionId"] for v in versions if v["IsDefaultVersion"]]
        if defaults != [made] or len(versions) > MAX_VERSIONS:
            wrong.append(f"after making {made}: {len(versions)} versions, default(s) {defaults}")
        if len(versions) == MAX_VERSIONS:
            oldest = min((v["VersionId"] for v in versions if not v["IsDefaultVersion"]), key=lambda v: int(v[1:]))
            iam.delete_policy_version(PolicyArn=policy_arn, VersionId=oldest)
            calls += 1
    default = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    stored = iam.get_policy_version(PolicyArn=policy_arn, VersionId=default)["PolicyVersion"]["Document"]
    if stored != document:
        wrong.append(f"{policy_arn}: the default version {default} holds {stored}, not the last document made")
    return calls, wrong


def tear_down(iam, names: list[str], policy_arn: str) -> None:
    for name in names:
        iam.detach_role_policy(RoleName=name, PolicyArn=policy_arn)
        iam.delete_role_policy(RoleName=name, PolicyName="inline")
        iam.delete_role(RoleName=name)


def attachment_count(iam, policy_arn: str, expected: int) -> list[str]:
    count = iam.get_policy(PolicyArn=policy_arn)["Policy"].get("AttachmentCount")
    return [] if count == expected else [f"GetPolicy AttachmentCount {count}, expected {expected}"]


# ---------------------------------------------------------------- one server

def measure(server: Server, args) -> dict:
    clients = [boto("iam", server.endpoint) for _ in range(READ_THREADS)]
    iam, problems, r = clients[0], Problems(), {}
    account = boto("sts", server.endpoint).get_caller_identity()["Account"]

    def role_arn(name: str) -> str:
        return f"arn:aws:iam::{account}:role{PATH}{name}"

    policy_arn = iam.create_policy(PolicyName=POLICY, PolicyDocument=json.dumps(permissions("*")))["Policy"]["Arn"]
    names = [role_name(i) for i in range(args.roles)]

    print(f"[{server.name}] create: {args.roles} roles x (CreateRole, PutRolePolicy, AttachRolePolicy), "
          f"{WRITE_THREADS} threads", flush=True)
    wrong, elapsed, cpu = on_threads(server, lambda i, share: create_roles(clients[i], share, policy_arn, role_arn),
                                     deal(names, WRITE_THREADS))
    r["create_per_s"], r["create_cpu_per_s"] = rate(3 * args.roles, elapsed, cpu)
    problems.extend("create", [w for part in wrong for w in part])
    for name in random.Random("inline").sample(names, min(INLINE_SAMPLE, len(names))):
        stored = iam.get_role_policy(RoleName=name, PolicyName="inline")["PolicyDocument"]
        if stored != inline(name):
            problems.add("create", f"GetRolePolicy {name} answered {stored}")
    problems.extend("create", attachment_count(iam, policy_arn, args.roles))

    print(f"[{server.name}] look up: {args.lookups} x (GetRole, ListAttachedRolePolicies), {READ_THREADS} threads",
          flush=True)
    picks = random.Random("lookups").choices(names, k=args.lookups)
    wrong, elapsed, cpu = on_threads(server, lambda i, share: look_up(clients[i], share, policy_arn, role_arn),
                                     deal(picks, READ_THREADS))
    r["lookup_per_s"], r["lookup_cpu_per_s"] = rate(2 * args.lookups, elapsed, cpu)
    problems.extend("lookup", [w for part in wrong for w in part])

    print(f"[{server.name}] list: ListRoles through {args.roles} roles, MaxItems={PAGE}, best of {LIST_REPEAT}",
          flush=True)
    timings = []
    for _ in range(LIST_REPEAT):
        start = time.perf_counter()
        listed, r["list_pages"], wrong = list_roles(iam)
        timings.append(time.perf_counter() - start)
        problems.extend("list", wrong + check_listed(listed, names))
    r["list_s"] = min(timings)

    print(f"[{server.name}] policy versions: {args.cycles} cycles on each of {WRITE_THREADS} policies", flush=True)
    versioned = [iam.create_policy(PolicyName=f"bench-versioned-{t}", PolicyDocument=json.dumps(permissions("*")))
                 ["Policy"]["Arn"] for t in range(WRITE_THREADS)]
    done, elapsed, cpu = on_threads(server, lambda i, arn: cycle_versions(clients[i], arn, args.cycles), versioned)
    r["versions_per_s"], r["versions_cpu_per_s"] = rate(sum(calls for calls, _ in done), elapsed, cpu)
    problems.extend("versions", [w for _, part in done for w in part])

    print(f"[{server.name}] teardown: {args.roles} roles x (DetachRolePolicy, DeleteRolePolicy, DeleteRole), "
          f"{WRITE_THREADS} threads", flush=True)
    _, elapsed, cpu = on_threads(server, lambda i, share: tear_down(clients[i], share, policy_arn),
                                 deal(names, WRITE_THREADS))
    r["teardown_per_s"], r["teardown_cpu_per_s"] = rate(3 * args.roles, elapsed, cpu)
    left, _, wrong = list_roles(iam)
    problems.extend("teardown", wrong + ([f"ListRoles still lists {len(left)} role(s), e.g. {left[:2]}"]
                                         if left else []) + attachment_count(iam, policy_arn, 0))
    r["problems"] = problems.found
    return r


def rate(ops: int, elapsed: float, cpu: float) -> tuple[float, float | None]:
    return ops / elapsed, (ops / cpu if cpu else None)


# ---------------------------------------------------------------- report

ROWS = [  # key, label, unit, higher is better
    ("create_per_s", f"create role + inline + attach, {WRITE_THREADS} thr", "ops/s", True),
    ("create_cpu_per_s", "  per second of server CPU", "ops/s", True),
    ("lookup_per_s", f"GetRole + ListAttached..., {READ_THREADS} threads", "ops/s", True),
    ("lookup_cpu_per_s", "  per second of server CPU", "ops/s", True),
    ("list_s", f"ListRoles, all roles, MaxItems={PAGE}, best of {LIST_REPEAT}", "s", False),
    ("versions_per_s", f"Create/List(/Delete)PolicyVersion, {WRITE_THREADS} thr", "ops/s", True),
    ("versions_cpu_per_s", "  per second of server CPU", "ops/s", True),
    ("teardown_per_s", f"detach + delete inline + delete role, {WRITE_THREADS} thr", "ops/s", True),
    ("teardown_cpu_per_s", "  per second of server CPU", "ops/s", True),
]


def lookup(result: dict, key: str):
    """A row's value; 'wrong' when its phase's check failed, so a fast wrong answer shows no number."""
    if key not in result:
        return None
    return "wrong" if result["problems"].get(key.split("_")[0]) else result[key]


def report(results: dict, args) -> list[str]:
    lb, moto = results.get("lakebox", {}), results.get("moto", {})
    lines = [f"{'metric':<46} {'unit':>6} {'lakebox':>9} {'moto':>9} {'lakebox/moto':>13}", "-" * 87]
    for key, label, unit, higher in ROWS:
        a, b = lookup(lb, key), lookup(moto, key)
        lines.append(f"{label:<46} {unit:>6} {cell(a, unit):>9} {cell(b, unit):>9} {ratio(a, b, higher):>13}")
    lines.append("lakebox/moto > 1 means lakebox is better (for seconds it is moto/lakebox).")
    lines.append(f"{args.roles} roles, {args.lookups} look-ups, {args.cycles} version cycles per policy; "
                 f"{os.cpu_count()} CPUs.")
    for name, r in results.items():
        if not r["problems"]:
            lines.append(f"{name}: every answer checked OK ({r['list_pages']} ListRoles pages)")
        for phase, found in r["problems"].items():
            lines.append(f"{name} {phase}: WRONG, {len(found)} problem(s): " + "; ".join(found[:SHOWN_PROBLEMS]))
    return lines


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (under 20 s on 2 cores)")
    parser.add_argument("--only", choices=("lakebox", "moto"), help="measure one server")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--roles", type=int, help="roles created, listed and torn down (default 1500, quick 200)")
    parser.add_argument("--lookups", type=int, help="GetRole + ListAttachedRolePolicies pairs (default 3000, "
                                                    "quick 400)")
    parser.add_argument("--cycles", type=int, help="policy version cycles per policy (default 80, quick 15)")
    args = parser.parse_args(argv)
    args.roles = args.roles or (200 if args.quick else 1500)
    args.lookups = args.lookups or (400 if args.quick else 3000)
    args.cycles = args.cycles or (15 if args.quick else 80)
    targets = [args.only] if args.only else ["lakebox", "moto"]
    if "moto" in targets and not moto_available():
        targets.remove("moto")

    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="lakebox-iam-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for name in targets:
            server = (start_lakebox if name == "lakebox" else start_moto)(tmp)
            try:
                results[name] = measure(server, args)
            finally:
                server.stop()
                shutil.rmtree(tmp / "lakebox-data", ignore_errors=True)

    print("\n" + "\n".join(report(results, args)))
    if args.json:
        meta = {"quick": args.quick, "roles": args.roles, "lookups": args.lookups, "cycles": args.cycles,
                "cpus": os.cpu_count()}
        Path(args.json).write_text(json.dumps({"params": meta, "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
