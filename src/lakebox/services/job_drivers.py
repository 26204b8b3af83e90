"""Who a job's driver is to lakebox: the endpoint it calls back, and the keys and region it uses.

Glue job runs and EMR steps run user scripts whose boto3 calls (the Glue catalog, S3) come back to
this server. They must act in the account and region that own the job or cluster, as on AWS, where
the driver's role belongs to the job's account: a job in eu-west-1 reads eu-west-1's catalog, and
with `--auth strict` the driver's requests must carry a configured key that is checked like any
other. One module, so that both services answer these two questions the same way.
"""

from __future__ import annotations

from typing import Any

#: The key a driver uses when no configured key belongs to its account: open auth maps it to the
#: default account, which is where such jobs live.
DEFAULT_DRIVER_KEY = ("test", "test")


def server_endpoint(config: Any) -> str:
    """`http://host:port` where drivers reach this server (a wildcard address means this machine)."""
    host = config.host if config.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.port}"


def driver_environment(config: Any, account_id: str, region: str) -> dict[str, str]:
    """The AWS_* variables of a driver acting for `account_id` in `region`."""
    access_key, secret_key = DEFAULT_DRIVER_KEY
    owned = sorted((key, c) for key, c in (getattr(config, "credentials", None) or {}).items()
                   if c.account_id == account_id)
    if owned:
        access_key, secret_key = owned[0][0], owned[0][1].secret_key
    return {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_DEFAULT_REGION": region, "AWS_REGION": region}
