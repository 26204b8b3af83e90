"""Where a request to a bucket's static website goes: its redirects, as S3 documents them.

Pure functions of a stored website configuration (website.py validates it) and the request's key,
so the rules can be tested one line each. `website_endpoint.py` serves what they decide:
- `RedirectAllRequestsTo` sends every request to another host, keeping the path (301);
- a routing rule whose condition names only a key prefix applies before any object is read; a rule
  naming an HTTP error code applies only once reading the object failed with that code. The first
  rule that matches wins, in the order the configuration lists them;
- a rule's redirect keeps what it does not name: the request's protocol and host, and the key
  (or replaces the condition's prefix, or the whole key); its code defaults to 301;
- the index document: a key that is empty or ends in `/` is a folder, served by its index document.

Rules match the key as requested, before an index document is added: the root of the site (key "")
never matches a prefix such as `index`.
"""

from __future__ import annotations

from typing import NamedTuple, Optional
from urllib.parse import quote

#: The redirect code when a rule names none (S3: "Moved Permanently").
DEFAULT_REDIRECT_CODE = 301
#: The code of the redirect from a folder's name to the folder (`/docs` to `/docs/`): "Found".
FOLDER_REDIRECT_CODE = 302


class Redirect(NamedTuple):
    location: str
    status: int


def redirect_all(config: dict, scheme: str, path: str) -> Optional[Redirect]:
    """The redirect of a bucket whose website sends everything elsewhere, keeping the request's path."""
    target = config.get("RedirectAllRequestsTo")
    if target is None:
        return None
    protocol = target.get("Protocol") or scheme
    return Redirect(f"{protocol}://{target['HostName']}{path or '/'}", DEFAULT_REDIRECT_CODE)


def rule_redirect(config: dict, key: str, scheme: str, host: str,
                  error_status: Optional[int] = None) -> Optional[Redirect]:
    """The first routing rule that applies to `key`, as a redirect; None when none does.

    `error_status` None: before the object is read, so only rules without an error-code condition
    count. Otherwise the code reading it failed with: only rules naming that code count.
    """
    for rule in config.get("RoutingRules") or ():
        condition = rule.get("Condition") or {}
        wanted_error = condition.get("HttpErrorCodeReturnedEquals")
        if (wanted_error is None) != (error_status is None):
            continue
        if wanted_error is not None and str(wanted_error).strip() != str(error_status):
            continue
        prefix = condition.get("KeyPrefixEquals") or ""
        if not key.startswith(prefix):
            continue
        return _redirect(rule.get("Redirect") or {}, prefix, key, scheme, host)
    return None


def _redirect(redirect: dict, prefix: str, key: str, scheme: str, host: str) -> Redirect:
    if redirect.get("ReplaceKeyWith") is not None:
        new_key = redirect["ReplaceKeyWith"]
    elif redirect.get("ReplaceKeyPrefixWith") is not None:
        new_key = redirect["ReplaceKeyPrefixWith"] + key[len(prefix):]
    else:
        new_key = key
    protocol = redirect.get("Protocol") or scheme
    hostname = redirect.get("HostName") or host
    status = int(redirect.get("HttpRedirectCode") or DEFAULT_REDIRECT_CODE)
    return Redirect(f"{protocol}://{hostname}/{quote(new_key, safe='/~!$&()*+,;=:@')}", status)


def index_key(key: str, config: dict) -> str:
    """The key to read for `key`: a folder (empty, or ending in `/`) is read as its index document."""
    if key == "" or key.endswith("/"):
        return key + config["IndexDocument"]["Suffix"]
    return key


def folder_redirect(key: str) -> Redirect:
    """`/docs` when only `docs/<index document>` exists: S3 sends the browser to the folder."""
    return Redirect("/" + quote(key, safe="/~!$&()*+,;=:@") + "/", FOLDER_REDIRECT_CODE)
