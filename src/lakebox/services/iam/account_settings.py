"""Account-wide IAM settings, and the console passwords they govern: the account alias
(Create/List/DeleteAccountAlias), the password policy (Update/Get/DeleteAccountPasswordPolicy) and
users' login profiles (Create/Get/Update/DeleteLoginProfile).

An account has at most one alias: creating another replaces it, as the console's "Edit" does. A
login profile's password must satisfy the account's password policy, or IAM's default one when the
account has none (at least 8 characters, and three of the four kinds: uppercase and lowercase
letters, numbers, symbols); a password that does not is PasswordPolicyViolation. Passwords are kept
as salted hashes: nothing reads them back.
"""

from __future__ import annotations

from typing import Optional

from ...passwords import password_hash
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import already_exists, no_such_entity, now_iso, timestamp

ALIAS, POLICY, LOGIN = "account-alias", "password-policy", "login-profile"
#: The characters IAM counts as symbols in a password.
SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")
_POLICY_FIELDS = ("MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
                  "RequireLowercaseCharacters", "AllowUsersToChangePassword", "MaxPasswordAge",
                  "PasswordReusePrevention", "HardExpiry")


def _kinds(password: str) -> dict[str, bool]:
    return {"uppercase letter": any(c.isupper() for c in password),
            "lowercase letter": any(c.islower() for c in password),
            "number": any(c.isdigit() for c in password), "symbol": any(c in SYMBOLS for c in password)}


def password_problem(policy: Optional[dict], password: str) -> Optional[str]:
    """Why `password` breaks `policy` (None: the default policy), or None when it does not."""
    kinds = _kinds(password)
    if policy is None:
        if len(password) < 8:
            return "Password should have a minimum length of 8"
        if sum(kinds.values()) < 3:
            return ("Password should have at least three of: an uppercase letter, a lowercase letter, a number, "
                    "a symbol")
        return None
    if len(password) < policy.get("MinimumPasswordLength", 6):
        return f"Password should have a minimum length of {policy['MinimumPasswordLength']}"
    for field, kind in (("RequireUppercaseCharacters", "uppercase letter"),
                        ("RequireLowercaseCharacters", "lowercase letter"), ("RequireNumbers", "number"),
                        ("RequireSymbols", "symbol")):
        if policy.get(field) and not kinds[kind]:
            return f"Password should have at least one {kind}"
    return None


class AccountSettingsMixin:
    # -- the account alias ---------------------------------------------------------------------------

    def create_account_alias(self, ctx: RequestContext, params: dict) -> dict:
        alias = params["AccountAlias"]
        with self.store.lock:
            current = self.store.all(ctx.account_id, ALIAS)
            if current and current[0]["AccountAlias"] == alias:
                return {}
            if self.store.owner_of(ALIAS, alias) not in (None, ctx.account_id):
                raise already_exists(f"The account alias {alias} already exists.")
            for doc in current:
                self.store.delete(ctx.account_id, ALIAS, doc["AccountAlias"])
            self.store.put(ctx.account_id, ALIAS, alias, {"AccountAlias": alias})
        return {}

    def list_account_aliases(self, ctx: RequestContext, params: dict) -> dict:
        return {"AccountAliases": [d["AccountAlias"] for d in self.store.all(ctx.account_id, ALIAS)],
                "IsTruncated": False}

    def delete_account_alias(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            if self.store.get(ctx.account_id, ALIAS, params["AccountAlias"]) is None:
                raise no_such_entity(f"The account alias {params['AccountAlias']} cannot be found.")
            self.store.delete(ctx.account_id, ALIAS, params["AccountAlias"])
        return {}

    # -- the password policy -------------------------------------------------------------------------

    def _password_policy(self, ctx: RequestContext) -> Optional[dict]:
        return self.store.get(ctx.account_id, POLICY, "policy")

    def update_account_password_policy(self, ctx: RequestContext, params: dict) -> dict:
        # As IAM does, every setting the request leaves out goes back to its default.
        policy = {"MinimumPasswordLength": params.get("MinimumPasswordLength") or 6,
                  **{f: bool(params.get(f, False)) for f in ("RequireSymbols", "RequireNumbers",
                                                              "RequireUppercaseCharacters",
                                                              "RequireLowercaseCharacters",
                                                              "AllowUsersToChangePassword", "HardExpiry")}}
        for field in ("MaxPasswordAge", "PasswordReusePrevention"):
            if params.get(field) is not None:
                policy[field] = params[field]
        with self.store.lock:
            self.store.put(ctx.account_id, POLICY, "policy", policy)
        return {}

    def get_account_password_policy(self, ctx: RequestContext, params: dict) -> dict:
        policy = self._password_policy(ctx)
        if policy is None:
            raise no_such_entity(f"The Password Policy with domain name {ctx.account_id} cannot be found.")
        out = {k: policy[k] for k in _POLICY_FIELDS if k in policy}
        out["ExpirePasswords"] = bool(policy.get("MaxPasswordAge"))
        return {"PasswordPolicy": out}

    def delete_account_password_policy(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            if self._password_policy(ctx) is None:
                raise no_such_entity("The account policy with name PasswordPolicy cannot be found.")
            self.store.delete(ctx.account_id, POLICY, "policy")
        return {}

    # -- login profiles ------------------------------------------------------------------------------

    def _check_password(self, ctx: RequestContext, password: str) -> None:
        problem = password_problem(self._password_policy(ctx), password)
        if problem is not None:
            raise AwsError("PasswordPolicyViolation", problem, 400)

    def _login_user(self, ctx: RequestContext, params: dict) -> dict:
        """The user a login profile call names, or the calling user when it names none."""
        name = params.get("UserName") or self._calling_user(ctx)
        if not name:
            raise AwsError("ValidationError", "Must specify userName when calling with non-User credentials", 400)
        return self._user(ctx, name)

    def _login_profile(self, ctx: RequestContext, user: str) -> dict:
        doc = self.store.get(ctx.account_id, LOGIN, user)
        if doc is None:
            raise no_such_entity(f"Login Profile for User {user} cannot be found.")
        return doc

    @staticmethod
    def _login_output(doc: dict) -> dict:
        return {"LoginProfile": {"UserName": doc["UserName"], "CreateDate": timestamp(doc["CreateDate"]),
                                 "PasswordResetRequired": doc["PasswordResetRequired"]}}

    def create_login_profile(self, ctx: RequestContext, params: dict) -> dict:
        if not params.get("Password"):
            raise AwsError("ValidationError", "Password must be given.", 400)
        with self.store.lock:
            user = self._login_user(ctx, params)
            if self.store.get(ctx.account_id, LOGIN, user["UserName"]) is not None:
                raise already_exists(f"Login Profile for user {user['UserName']} already exists.")
            self._check_password(ctx, params["Password"])
            doc = {"UserName": user["UserName"], "CreateDate": now_iso(self),
                   "PasswordResetRequired": bool(params.get("PasswordResetRequired", False)),
                   "PasswordHash": password_hash(params["Password"])}
            self.store.put(ctx.account_id, LOGIN, user["UserName"], doc)
        return self._login_output(doc)

    def get_login_profile(self, ctx: RequestContext, params: dict) -> dict:
        return self._login_output(self._login_profile(ctx, self._login_user(ctx, params)["UserName"]))

    def update_login_profile(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._login_profile(ctx, self._login_user(ctx, params)["UserName"])
            if params.get("Password"):
                self._check_password(ctx, params["Password"])
                doc["PasswordHash"] = password_hash(params["Password"])
                doc["PasswordChangedDate"] = now_iso(self)  # the credential report's password_last_changed
            if params.get("PasswordResetRequired") is not None:
                doc["PasswordResetRequired"] = params["PasswordResetRequired"]
            self.store.put(ctx.account_id, LOGIN, doc["UserName"], doc)
        return {}

    def delete_login_profile(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._login_profile(ctx, self._login_user(ctx, params)["UserName"])
            self.store.delete(ctx.account_id, LOGIN, doc["UserName"])
        return {}
