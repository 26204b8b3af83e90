"""Database users: CREATE USER, ALTER USER and DROP USER, so that logins other than the master user's
work, as pipelines create them (an ETL user, a read-only analyst).

Statements are read here into changes of a plain dict of users (name -> attributes), which the
cluster keeps with its settings, because Redshift users belong to the cluster, not to one database.
Passwords follow Redshift's rules (8 to 64 characters with an upper-case letter, a lower-case letter
and a digit, or an `md5<hex>` / `sha256|...` hash given instead) and are kept as salted hashes.
GRANT and REVOKE are accepted and not enforced: every user can read and write every table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from typing import Optional

from . import RedshiftError

_NAME = r'("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_CREATE = re.compile(rf"^\s*CREATE\s+USER\s+{_NAME}(.*)$", re.I | re.S)
_ALTER = re.compile(rf"^\s*ALTER\s+USER\s+{_NAME}(.*)$", re.I | re.S)
_DROP = re.compile(r"^\s*DROP\s+USER\s+(IF\s+EXISTS\s+)?(.+?)\s*;?\s*$", re.I | re.S)
_PASSWORD = re.compile(r"\bPASSWORD\s+(?:'((?:[^']|'')*)'|(DISABLE))", re.I)
_VALID_UNTIL = re.compile(r"\bVALID\s+UNTIL\s+'([^']*)'", re.I)
_RENAME = re.compile(rf"^\s*RENAME\s+TO\s+{_NAME}\s*;?\s*$", re.I)
_FLAGS = {"CREATEDB": ("createdb", True), "NOCREATEDB": ("createdb", False),
          "CREATEUSER": ("superuser", True), "NOCREATEUSER": ("superuser", False)}


def is_user_statement(words: list[str]) -> bool:
    return len(words) >= 2 and words[0] in ("CREATE", "ALTER", "DROP") and words[1] == "USER"


def _name(token: str) -> str:
    if token.startswith('"'):
        return token[1:-1].replace('""', '"')
    return token.lower()


def _hash(password: str, salt: Optional[str] = None) -> str:
    salt = salt or os.urandom(8).hex()
    return salt + "$" + hashlib.sha256((salt + password).encode()).hexdigest()


def _password_entry(user: str, password: str) -> dict:
    if re.fullmatch(r"md5[0-9a-fA-F]{32}", password):
        return {"md5": password[3:].lower()}
    if password.startswith("sha256|"):
        # `sha256|<password>`: Redshift salts and hashes the clear text itself, without the clear-text
        # rules. A digest with its own salt (`sha256|<digest>|<salt>`) is not taken: how Redshift
        # combines the two is not documented.
        clear = password[len("sha256|"):]
        if "|" in clear or not clear:
            raise RedshiftError("sha256 digests with a salt are not supported here; give sha256|<password>, "
                                "the password or an md5 hash", "0A000")
        return {"hash": _hash(clear)}
    problems = []
    if not 8 <= len(password) <= 64:
        problems.append("be 8 to 64 characters long")
    for pattern, what in ((r"[A-Z]", "an upper-case letter"), (r"[a-z]", "a lower-case letter"),
                          (r"[0-9]", "a number")):
        if not re.search(pattern, password):
            problems.append(f"contain {what}")
    if problems:
        raise RedshiftError(f"Password must {' and '.join(problems)}.", "22023")
    return {"hash": _hash(password)}


def password_matches(entry: dict, user: str, password: str) -> bool:
    """True if `password` logs in as the user whose attributes are `entry`."""
    if entry.get("disabled"):
        return False
    valid_until = entry.get("valid_until")
    if valid_until and dt.datetime.fromisoformat(valid_until) < dt.datetime.now(dt.timezone.utc):
        return False
    if "md5" in entry:
        return hashlib.md5((password + user).encode()).hexdigest() == entry["md5"]
    stored = entry.get("hash") or ""
    return bool(stored) and _hash(password, stored.split("$", 1)[0]) == stored


def _options(text: str, user: str, entry: dict) -> dict:
    entry = dict(entry)
    password = _PASSWORD.search(text)
    if password is not None:
        if password.group(2):
            entry = {k: v for k, v in entry.items() if k not in ("hash", "md5")}
            entry["disabled"] = True
        else:
            entry = {k: v for k, v in entry.items() if k not in ("hash", "md5", "disabled")}
            entry.update(_password_entry(user, password.group(1).replace("''", "'")))
    until = _VALID_UNTIL.search(text)
    if until is not None:
        value = until.group(1).strip()
        if value.lower() == "infinity":
            entry.pop("valid_until", None)
        else:
            try:
                moment = dt.datetime.fromisoformat(value.replace(" ", "T", 1))
            except ValueError:
                raise RedshiftError(f'invalid input syntax for type timestamp: "{value}"', "22007") from None
            entry["valid_until"] = (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).isoformat()
    for word in re.findall(r"[A-Za-z]+", _PASSWORD.sub(" ", _VALID_UNTIL.sub(" ", text))):
        flag = _FLAGS.get(word.upper())
        if flag is not None:
            entry[flag[0]] = flag[1]
    return entry


def apply(statement: str, users: dict, master: str) -> tuple[dict, str]:
    """The users after `statement`, and its command tag; raises RedshiftError as Redshift would."""
    users = dict(users)
    if (match := _CREATE.match(statement)) is not None:
        name = _name(match.group(1))
        if name in users or name == master.lower():
            raise RedshiftError(f'user "{name}" already exists', "42710")
        entry = _options(match.group(2), name, {"createdb": False, "superuser": False})
        if "hash" not in entry and "md5" not in entry and not entry.get("disabled"):
            raise RedshiftError("A password is required: CREATE USER name PASSWORD '...' (or PASSWORD DISABLE).",
                                "42601")
        users[name] = entry
        return users, "CREATE USER"
    if (match := _ALTER.match(statement)) is not None:
        name = _name(match.group(1))
        if name not in users:
            raise RedshiftError(f'user "{name}" does not exist', "42704")
        rename = _RENAME.match(match.group(2))
        if rename is not None:
            new = _name(rename.group(1))
            if new in users or new == master.lower():
                raise RedshiftError(f'user "{new}" already exists', "42710")
            entry = users.pop(name)
            if "md5" in entry:  # an md5 hash is salted with the name: it no longer matches
                entry = {k: v for k, v in entry.items() if k != "md5"}
                entry["disabled"] = True
            users[new] = entry
            return users, "ALTER USER"
        users[name] = _options(match.group(2), name, users[name])
        return users, "ALTER USER"
    if (match := _DROP.match(statement)) is not None:
        for token in re.split(r"\s*,\s*", match.group(2)):
            name = _name(token.strip())
            if name not in users:
                if match.group(1):
                    continue
                raise RedshiftError(f'user "{name}" does not exist', "42704")
            del users[name]
        return users, "DROP USER"
    raise RedshiftError(f"Could not read the user statement: {statement.strip()[:200]}", "42601")
