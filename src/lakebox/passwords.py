"""Salted password hashes, for the passwords lakebox checks but never shows again (a Redshift
master password, an IAM user's console password): `salt$sha256(salt + password)`."""

from __future__ import annotations

import hashlib
import os
from typing import Optional


def password_hash(password: str, salt: Optional[str] = None) -> str:
    salt = salt or os.urandom(8).hex()
    return salt + "$" + hashlib.sha256((salt + password).encode()).hexdigest()


def password_matches(stored: str, password: str) -> bool:
    salt = stored.split("$", 1)[0]
    return password_hash(password, salt) == stored
