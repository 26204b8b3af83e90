#!/usr/bin/env bash
# tools/awscli_s3_tests.sh - the AWS CLI's own integration tests of its `aws s3` commands (cp, mv,
# sync, rm, ls, mb, rb, presign, website) against a fresh `lakebox serve`.
#
# usage: tools/awscli_s3_tests.sh [--ratchet] [--update-ratchet] [-- pytest args]
#
#   --ratchet          fail (exit 1) if a test listed in tests/awscli_compat/passing.txt does not pass
#   --update-ratchet   write this run's passing tests to tests/awscli_compat/passing.txt
#
# The tests (tests/integration/customizations/s3/test_plugin.py of github.com/aws/aws-cli) run the
# `aws` command in subprocesses against AWS itself, in us-west-2. Here AWS_ENDPOINT_URL points both
# the CLI and the tests' own botocore clients at lakebox. The file is exported from a git mirror
# (AWSCLI_SRC) at AWSCLI_REF, never copied into this repo, and runs with the AWS CLI lakebox pins
# (.venv). One change is made to the exported copy: the tests' shared S3 Express directory bucket
# is not created (lakebox serves no directory buckets), and the tests that use it are deselected.
# As on AWS, signatures are checked (--auth strict, with the tests' key and a second account's),
# and the bucket name `mybucket`, which the tests expect to belong to someone else, does.
#
# Environment: AWSCLI_SRC, AWSCLI_REF, AWSCLI_OUT (results), LAKEBOX.
# Results: $AWSCLI_OUT/{junit.xml,pytest.log,passed.txt,failed.txt,server.log}.
# The last line printed before the results folder is "awscli-s3: N passed, N failed, N skipped".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
SRC=${AWSCLI_SRC:-/work/.mirror/aws+aws-cli/repo}
REF=${AWSCLI_REF:-refs/tags/1.45.9}
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}
RATCHET_FILE=$REPO/tests/awscli_compat/passing.txt

ratchet_options 21 "$@"
set -- "${REST[@]}"

OUT=${AWSCLI_OUT:-/tmp/lakebox-awscli/out-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/lakebox-awscli-work.XXXXXX)
mkdir -p "$OUT"
FILE=tests/integration/customizations/s3/test_plugin.py
{ git --git-dir="$SRC/.git" show "$REF:$FILE" 2>/dev/null || git --git-dir="$SRC" show "$REF:$FILE"; } > "$WORK/plugin.py"
"$REPO/.venv/bin/python" - "$WORK/plugin.py" "$WORK/test_plugin.py" <<'PY'
import sys

source = open(sys.argv[1]).read()
for old, new in [
    ("        s3.create_bucket(**dir_bucket_params)\n", ""),
    ("    waiter.wait(Bucket=_SHARED_DIR_BUCKET)\n", ""),
    ("def clear_out_bucket(bucket, delete_bucket=False):\n",
     "def clear_out_bucket(bucket, delete_bucket=False):\n    if bucket == _SHARED_DIR_BUCKET:\n        return\n"),
]:
    assert old in source, f"the suite changed: {old!r} not found"
    source = source.replace(old, new)
open(sys.argv[2], "w").write(source)
PY

PORT=$(free_port)
LAKEBOX_CREDENTIALS="test:test:000000000000,other:other-secret:111111111111" \
  start_lakebox "$OUT" "$WORK" "$PORT" "$WORK/data" --auth strict
echo "lakebox on 127.0.0.1:$PORT, data $WORK/data, suite aws-cli $REF"
"$REPO/.venv/bin/python" -c "
import boto3
boto3.client('s3', endpoint_url='http://127.0.0.1:$PORT', region_name='us-east-1', aws_access_key_id='other',
             aws_secret_access_key='other-secret').create_bucket(Bucket='mybucket')"

set +e
(cd "$WORK" && PATH="$REPO/.venv/bin:$PATH" AWS_ENDPOINT_URL=http://127.0.0.1:$PORT \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-west-2 \
  "$REPO/.venv/bin/python" -m pytest -p no:cacheprovider test_plugin.py -q -W ignore --timeout 300 --tb=short \
  -k "not s3_express" --junitxml="$OUT/junit.xml" "$@") > "$OUT/pytest.log" 2>&1
set -e
junit_summary "$OUT" awscli-s3
ratchet_finish "$RATCHET" "$UPDATE" "$RATCHET_FILE" "$OUT" "AWS CLI ($REF) s3 integration tests" tools/awscli_s3_tests.sh
