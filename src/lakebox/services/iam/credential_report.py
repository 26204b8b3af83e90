"""The credential report: GenerateCredentialReport and GetCredentialReport.

The report is IAM's CSV of every user's credentials, computed from what the store holds: the
account's root user first (`<root_account>`), then each user with its login profile (password
set, when changed, when the password policy makes it expire), its virtual MFA devices, its two
access keys (active or not, when made, and where and when each last signed a request, which the
gateway records: users.py) and its two signing certificates. Dates are ISO 8601 in UTC; what does
not apply is `N/A`, as in AWS's report.

GenerateCredentialReport computes it at once and answers STARTED for a new report (COMPLETE when
one under 4 hours old exists, as IAM reuses it); GetCredentialReport answers ReportNotPresent before
the first one and ReportExpired once the last is over 4 hours old.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import now_iso, timestamp

KIND, KEY = "credential-report", "report"
#: IAM makes a new report only when the last one is older than this; GetCredentialReport refuses one older.
REPORT_LIFETIME = dt.timedelta(hours=4)
COLUMNS = ("user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
           "password_next_rotation", "mfa_active",
           "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
           "access_key_1_last_used_region", "access_key_1_last_used_service",
           "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
           "access_key_2_last_used_region", "access_key_2_last_used_service",
           "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated")
NA = "N/A"


def _when(iso: str) -> str:
    return timestamp(iso).astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _keys(keys: list[dict]) -> list[str]:
    out: list[str] = []
    for key in (sorted(keys, key=lambda k: k["CreateDate"]) + [None, None])[:2]:
        if key is None:
            out += ["false", NA, NA, NA, NA]
            continue
        used = key.get("LastUsed")
        out += [_flag(key.get("Status") == "Active"), _when(key["CreateDate"]),
                _when(used["Date"]) if used else NA, used["Region"] if used else NA,
                used["ServiceName"] if used else NA]
    return out


def _certificates(certificates: list[dict]) -> list[str]:
    out: list[str] = []
    for cert in (sorted(certificates, key=lambda c: c["UploadDate"]) + [None, None])[:2]:
        out += ["false", NA] if cert is None else [_flag(cert.get("Status") == "Active"), _when(cert["UploadDate"])]
    return out


class CredentialReportMixin:
    def _credential_rows(self, ctx: RequestContext) -> list[list[str]]:
        account = ctx.account_id
        users = sorted(self.store.all(account, "user"), key=lambda u: u["UserName"])
        keys = self.store.all(account, "access-key")
        policy = self.store.get(account, "password-policy", "policy") or {}
        max_age = policy.get("MaxPasswordAge")
        created = [u["CreateDate"] for u in users]
        root = ["<root_account>", f"arn:aws:iam::{account}:root", _when(min(created)) if created else _when(now_iso(self)),
                "not_supported", NA, "not_supported", "not_supported", "false", *_keys([]), *_certificates([])]
        rows = [root]
        for user in users:
            name = user["UserName"]
            login = self.store.get(account, "login-profile", name)
            if login is not None:
                changed = login.get("PasswordChangedDate") or login["CreateDate"]
                password = ["true", "no_information", _when(changed),
                            _when((timestamp(changed) + dt.timedelta(days=max_age)).isoformat()) if max_age else NA]
            else:
                password = ["false", NA, NA, NA]
            rows.append([name, user["Arn"], _when(user["CreateDate"]), *password,
                         _flag(bool(self.mfa_devices_of(ctx, name))),
                         *_keys([k for k in keys if k.get("UserName") == name]),
                         *_certificates(self.signing_certificates_of(ctx, name))])
        return rows

    def generate_credential_report(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            report = self.store.get(ctx.account_id, KIND, KEY)
            now = timestamp(now_iso(self))
            if report is not None and now - timestamp(report["GeneratedTime"]) < REPORT_LIFETIME:
                return {"State": "COMPLETE"}
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(self._credential_rows(ctx))
            self.store.put(ctx.account_id, KIND, KEY, {"GeneratedTime": now.isoformat(),
                                                       "Content": out.getvalue().rstrip("\n")})
        return {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}

    def get_credential_report(self, ctx: RequestContext, params: dict) -> dict:
        report = self.store.get(ctx.account_id, KIND, KEY)
        if report is None:
            raise AwsError("ReportNotPresent", "Credential report does not exist. Use GenerateCredentialReport to "
                                               "generate a credential report.", 410)
        generated = timestamp(report["GeneratedTime"])
        if timestamp(now_iso(self)) - generated >= REPORT_LIFETIME:
            raise AwsError("ReportExpired", "Credential report is expired. Use GenerateCredentialReport to "
                                            "generate a new credential report.", 410)
        return {"Content": report["Content"].encode(), "ReportFormat": "text/csv", "GeneratedTime": generated}
