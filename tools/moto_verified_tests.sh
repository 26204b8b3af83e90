#!/usr/bin/env bash
# tools/moto_verified_tests.sh - moto's AWS-verified tests for the services lakebox serves, run
# against a fresh `lakebox serve`.
#
# usage: tools/moto_verified_tests.sh [--ratchet] [--update-ratchet] [-- pytest args]
#
#   --ratchet          fail (exit 1) if a test listed in tests/moto_verified_compat/passing.txt does not pass
#   --update-ratchet   write this run's passing tests to tests/moto_verified_compat/passing.txt
#
# moto marks the tests its maintainers ran against AWS itself with `aws_verified`; with
# MOTO_TEST_ALLOW_AWS_REQUEST=true such a test skips moto's mock and sends its requests to whatever
# endpoint boto3 is given, here lakebox through AWS_ENDPOINT_URL. Only those tests run (`-m
# aws_verified`); the others test moto's own mock. The suite is exported from a git mirror (MOTO_SRC)
# at MOTO_REF, never copied into this repo, and imports moto itself, so it runs in a venv of its own
# (MOTO_VENV) with the released moto of the same line (MOTO_VERSION).
#
# Environment: MOTO_SRC, MOTO_REF, MOTO_VERSION, MOTO_VENV, MOTO_SERVICES (folders of tests/ to run),
# MOTO_OUT (results), LAKEBOX. Results: $MOTO_OUT/{junit.xml,pytest.log,passed.txt,failed.txt,server.log}.
# The last line printed before the results folder is "moto-verified: N passed, N failed, N skipped".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
SRC=${MOTO_SRC:-/work/.mirror/getmoto+moto/repo}
REF=${MOTO_REF:-0af643a5dbfc98797f08ee64f5be3ef8002d56ff}
VERSION=${MOTO_VERSION:-5.2.1}
VENV=${MOTO_VENV:-/tmp/moto-verified-venv}
SERVICES=${MOTO_SERVICES:-"test_s3 test_athena test_glue test_kinesis test_firehose test_emr test_redshift \
test_redshiftdata test_logs test_iam test_sts"}
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}
RATCHET_FILE=$REPO/tests/moto_verified_compat/passing.txt

ratchet_options 19 "$@"
set -- "${REST[@]}"

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import moto, freezegun, flask" 2>/dev/null; then
  echo "creating $VENV with moto[all]==$VERSION"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "moto[all]==$VERSION" freezegun pytest pytest-timeout flask flask-cors
fi

OUT=${MOTO_OUT:-/tmp/lakebox-moto-verified/out-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/lakebox-moto-verified-work.XXXXXX)
mkdir -p "$OUT"
# Helpers some test modules import come along; only the services' folders run.
PATHS="tests/__init__.py tests/conftest.py tests/markers.py tests/test_cloudformation tests/test_awslambda"
RUN=""
for service in $SERVICES; do PATHS="$PATHS tests/$service"; RUN="$RUN tests/$service"; done
{ git --git-dir="$SRC/.git" archive "$REF" $PATHS 2>/dev/null || git --git-dir="$SRC" archive "$REF" $PATHS; } | tar x -C "$WORK"
PORT=$(free_port)

start_lakebox "$OUT" "$WORK" "$PORT" "$WORK/data"
echo "lakebox on 127.0.0.1:$PORT, data $WORK/data, suite moto $REF"

set +e
(cd "$WORK" && MOTO_TEST_ALLOW_AWS_REQUEST=true AWS_ENDPOINT_URL=http://127.0.0.1:$PORT \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
  "$VENV/bin/python" -m pytest -p no:cacheprovider $RUN -m aws_verified -q -W ignore --timeout 120 --tb=short \
  --junitxml="$OUT/junit.xml" "$@") > "$OUT/pytest.log" 2>&1
set -e
junit_summary "$OUT" moto-verified
ratchet_finish "$RATCHET" "$UPDATE" "$RATCHET_FILE" "$OUT" "moto ($REF) AWS-verified tests" tools/moto_verified_tests.sh
