#!/usr/bin/env bash
# tools/s3fs_tests.sh - s3fs's own test suite (the S3 filesystem under pandas, dask and fsspec)
# against a fresh `lakebox serve`.
#
# usage: tools/s3fs_tests.sh [--ratchet] [--update-ratchet] [-- pytest args]
#
#   --ratchet          fail (exit 1) if a test listed in tests/s3fs_compat/passing.txt does not pass
#   --update-ratchet   write this run's passing tests to tests/s3fs_compat/passing.txt
#
# s3fs tests itself against moto's server on 127.0.0.1:5555, reset before every test through
# moto's `/moto-api/reset`. Here lakebox serves that port instead: a conftest added to the exported
# copy makes the suite's ThreadedMotoServer a no-op and turns the reset into what it means on S3,
# every bucket of the account emptied (versions, delete markers, uploads) and deleted. The suite
# is exported from a git mirror (S3FS_SRC) at S3FS_REF, never copied into this repo, and run in a
# venv of its own (S3FS_VENV) with the s3fs release lakebox pins. The server runs with
# LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter, because the suite creates its buckets with
# ACL=public-read, as S3 allowed before April 2023.
#
# Environment: S3FS_SRC, S3FS_REF, S3FS_VENV, S3FS_OUT (results), LAKEBOX.
# Results: $S3FS_OUT/{junit.xml,pytest.log,passed.txt,failed.txt,server.log}.
# The last line printed before the results folder is "s3fs: N passed, N failed, N skipped".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
SRC=${S3FS_SRC:-/work/.mirror/fsspec+s3fs/repo}
REF=${S3FS_REF:-b7ec8db}
VENV=${S3FS_VENV:-/tmp/s3fs-tests-venv}
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}
RATCHET_FILE=$REPO/tests/s3fs_compat/passing.txt
PORT=5555
S3FS_PIN=$(grep -o '"s3fs==[^"]*"' "$REPO/pyproject.toml" | tr -d '"')

ratchet_options 21 "$@"
set -- "${REST[@]}"

if python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', $PORT))" 2>/dev/null; then :; else
  echo "port $PORT is in use: the suite needs it for lakebox" >&2; exit 2
fi
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import s3fs, moto, pytest_env, pytest_asyncio" 2>/dev/null; then
  echo "creating $VENV with $S3FS_PIN and the suite's requirements"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "$S3FS_PIN" "moto[server]==5.2.1" flask flask_cors pytest pytest-asyncio pytest-env pytest-timeout requests
fi

OUT=${S3FS_OUT:-/tmp/lakebox-s3fs/out-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/lakebox-s3fs-work.XXXXXX)
mkdir -p "$OUT"
{ git --git-dir="$SRC/.git" archive "$REF" s3fs/tests 2>/dev/null || git --git-dir="$SRC" archive "$REF" s3fs/tests; } | tar x -C "$WORK"
# The suite imports itself as s3fs.tests: it goes into the venv's s3fs package (the released
# package ships without it), and s3fs itself is the release the venv holds.
TESTS=$("$VENV/bin/python" -c "import os, s3fs; print(os.path.dirname(s3fs.__file__))")/tests
rm -rf "$TESTS" && mv "$WORK/s3fs/tests" "$TESTS" && rmdir "$WORK/s3fs"
# The fsspec-derived tests start a second moto on port 5556: lakebox on 5555 serves them too.
sed -i "s/^port = 5556$/port = $PORT/" "$TESTS/derived/s3fs_fixtures.py"
cat > "$TESTS/conftest.py" <<'PY'
"""Written by lakebox's tools/s3fs_tests.sh: lakebox, already serving port 5555, stands in for moto."""
import boto3
import requests
from moto.moto_server import threaded_moto_server

ENDPOINT = "http://127.0.0.1:5555"


class _AlreadyServing:
    def __init__(self, *args, **kwargs):
        pass

    def start(self):
        pass

    def stop(self):
        pass


threaded_moto_server.ThreadedMotoServer = _AlreadyServing
_post = requests.post


def _empty_account():
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                      aws_access_key_id="foo", aws_secret_access_key="foo")
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        s3.delete_bucket_policy(Bucket=name)
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                      for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            for i in range(0, len(doomed), 1000):
                s3.delete_objects(Bucket=name, Delete={"Objects": doomed[i:i + 1000], "Quiet": True})
        for upload in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
        s3.delete_bucket(Bucket=name)


def _post_or_reset(url, *args, **kwargs):
    if str(url).rstrip("/").endswith("/moto-api/reset"):
        _empty_account()
        return None
    return _post(url, *args, **kwargs)


requests.post = _post_or_reset
PY

LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter start_lakebox "$OUT" "$WORK" "$PORT" "$WORK/data"
echo "lakebox on 127.0.0.1:$PORT, data $WORK/data, suite s3fs $REF"

set +e
(cd "$WORK" && AWS_ACCESS_KEY_ID=foo AWS_SECRET_ACCESS_KEY=foo AWS_DEFAULT_REGION=us-east-1 \
  "$VENV/bin/python" -m pytest -p no:cacheprovider "$TESTS" --rootdir "$WORK" -q -W ignore --timeout 120 --tb=short \
  --junitxml="$OUT/junit.xml" "$@") > "$OUT/pytest.log" 2>&1
set -e
junit_summary "$OUT" s3fs
ratchet_finish "$RATCHET" "$UPDATE" "$RATCHET_FILE" "$OUT" "s3fs ($REF) tests" tools/s3fs_tests.sh
