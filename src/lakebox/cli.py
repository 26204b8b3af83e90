"""The `lakebox` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lakebox",
        description="The AWS data stack (S3, Glue, Athena, Redshift, EMR, Kinesis, Firehose) on one machine.",
    )
    parser.add_argument("--version", action="version", version=f"lakebox {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve every AWS API on one endpoint",
        epilog="New S3 buckets get AWS's defaults since April 2023 (ACLs disabled, Block Public Access on); "
        "set LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter for the older defaults.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4566, help="port to listen on (default: 4566)")
    serve.add_argument("--data", default="./.lakebox-data", help="data folder (default: ./.lakebox-data)")
    serve.add_argument(
        "--auth",
        choices=("open", "strict"),
        default="open",
        help="open: accept any key (default); strict: check SigV4/SigV2 signatures against known keys",
    )
    serve.add_argument(
        "--credentials",
        default=None,
        help="keys for --auth strict: a file, or ACCESS:SECRET[:ACCOUNT] entries; default $LAKEBOX_CREDENTIALS",
    )
    serve.add_argument(
        "--spark-master",
        default=None,
        help="where Glue jobs and EMR steps run: local[*] (default, or $LAKEBOX_SPARK_MASTER), "
        "spark://HOST:PORT, yarn or k8s://URL; its executors must see the data folder",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="info logs one line per request (default: info)",
    )

    clock = commands.add_parser(
        "clock",
        help="show or move the service clock of a running lakebox (lifecycle, restores, retention)",
        description="The service clock starts as real time and only moves forward. "
        "Signature checks keep using the wall clock.",
    )
    clock.add_argument("action", choices=("show", "advance", "set"), nargs="?", default="show")
    clock.add_argument("value", nargs="?", help="advance: a duration like 31d, 12h, 1d12h; set: an ISO 8601 time")
    clock.add_argument(
        "--endpoint",
        default=None,
        help="the lakebox to talk to (default: $AWS_ENDPOINT_URL or http://127.0.0.1:4566)",
    )
    return parser


def cmd_clock(args: argparse.Namespace) -> int:
    import json
    import os
    import urllib.error
    import urllib.request

    endpoint = (args.endpoint or os.environ.get("AWS_ENDPOINT_URL") or "http://127.0.0.1:4566").rstrip("/")
    data = None
    if args.action != "show":
        if not args.value:
            print(f"lakebox clock {args.action}: missing value", file=sys.stderr)
            return 2
        data = json.dumps({args.action: args.value}).encode()
    request = urllib.request.Request(endpoint + "/_lakebox/clock", data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            state = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        print(f"lakebox clock: {json.loads(exc.read()).get('message', exc)}", file=sys.stderr)
        return 1
    except urllib.error.URLError as exc:
        print(f"lakebox clock: cannot reach {endpoint}: {exc.reason}", file=sys.stderr)
        return 1
    print(f"service time {state['now']} (wall clock + {state['offset_seconds']:g}s)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .config import Config, load_credentials
    from .gateway.server import LakeboxServer, configure_logging

    configure_logging(args.log_level)
    try:
        credentials = load_credentials(args.credentials)
    except (ValueError, KeyError) as exc:
        print(f"lakebox: bad credentials: {exc}", file=sys.stderr)
        return 2
    if args.auth == "strict" and not credentials:
        print("lakebox: --auth strict needs keys in --credentials or $LAKEBOX_CREDENTIALS", file=sys.stderr)
        return 2
    try:
        config = Config(
            host=args.host,
            port=args.port,
            data_dir=Path(args.data),
            auth=args.auth,
            credentials=credentials,
            log_level=args.log_level,
            **({"spark_master": args.spark_master} if args.spark_master else {}),
        )
    except ValueError as exc:  # a bad setting from the environment (LAKEBOX_S3_OBJECT_OWNERSHIP)
        print(f"lakebox: {exc}", file=sys.stderr)
        return 2
    server = LakeboxServer(config)
    server.run_forever()
    return 0 if server.started else 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "clock":
        return cmd_clock(args)
    parser.print_help()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
