#!/usr/bin/env bash
# tools/localstack_tests.sh - LocalStack's AWS-validated tests for the services lakebox serves, run
# against a fresh `lakebox serve`.
#
# usage: tools/localstack_tests.sh [--ratchet] [--update-ratchet] [-- pytest args]
#
#   --ratchet          fail (exit 1) if a test listed in tests/localstack_compat/passing.txt does not pass
#   --update-ratchet   write this run's passing tests to tests/localstack_compat/passing.txt
#
# LocalStack's tests under tests/aws/services/ run against AWS itself to record their snapshots
# (`@markers.aws.validated`); each snapshot holds AWS's answers and is compared with the answers of
# the endpoint under test. The suite is exported from a git mirror (LS_SRC) at LS_REF, never copied
# into this repo, and run with the released localstack-core of the same month (LS_VERSION, which
# provides the suite's pytest plugins) in a venv of its own (LS_VENV, Python 3.12 or newer).
#
# How it is pointed at lakebox, in the exported copy and its venv only:
#   - TEST_SKIP_LOCALSTACK_START=1 and TEST_AWS_ENDPOINT_URL: no LocalStack starts; clients go to lakebox.
#   - lakebox listens on 127.0.0.1:4566, because some tests build URLs from LocalStack's default
#     port; the port must be free.
#   - Host names under localhost.localstack.cloud (virtual-host buckets) resolve to 127.0.0.1: the
#     machine may have no DNS, so the venv's sitecustomize answers them.
#   - The suite's secondary account key (000000000002) is mapped to account 000000000002 through
#     LAKEBOX_CREDENTIALS, so the cross-account tests see two owners.
#   - The pytest plugins for Step Functions and CloudFormation fixtures are not loaded (lakebox
#     serves neither), and test modules that import LocalStack's service internals get stand-ins.
# Tests marked only_localstack test LocalStack itself and are deselected, and so are the S3
# notification tests (they need SQS, SNS, Lambda or EventBridge), a Kinesis subscription that runs
# for five minutes on AWS, and the tests that download a JDK or build a Java Lambda.
#
# Environment: LS_SRC, LS_REF, LS_VERSION, LS_VENV, LS_PYTHON (the interpreter for the venv),
# LS_SERVICES (the folders of tests/aws/services to run), LS_OUT (results), LAKEBOX.
# Results: $LS_OUT/{junit.xml,pytest.log,passed.txt,failed.txt,server.log}.
# The last line printed before the results folder is "localstack: N passed, N failed, N skipped".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
SRC=${LS_SRC:-/work/.mirror/localstack+localstack/repo}
REF=${LS_REF:-8b9a79f05846835cf4dff63ab7eefdde9df83783}
VERSION=${LS_VERSION:-2026.3.0}
VENV=${LS_VENV:-/tmp/localstack-tests-venv}
SERVICES=${LS_SERVICES:-"s3 kinesis firehose logs iam sts redshift"}
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}
RATCHET_FILE=$REPO/tests/localstack_compat/passing.txt
PORT=4566

ratchet_options 32 "$@"
set -- "${REST[@]}"

if python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', $PORT))" 2>/dev/null; then :; else
  echo "port $PORT is in use: the suite needs it for lakebox" >&2; exit 2
fi
# The first interpreter that runs and is 3.12 or newer (a version manager's shim may be on PATH
# for a version it does not select).
PYTHON=${LS_PYTHON:-}
for candidate in python3.13 python3.12 python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[3-9]*/bin/python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3; do
  [ -n "$PYTHON" ] && break
  "$candidate" -c "import sys; sys.exit(sys.version_info < (3, 12))" 2>/dev/null && PYTHON=$(command -v "$candidate")
done
[ -n "$PYTHON" ] || { echo "the suite needs Python 3.12 or newer (set LS_PYTHON)" >&2; exit 2; }

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import localstack_snapshot" 2>/dev/null; then
  echo "creating $VENV with localstack-core[test]==$VERSION (a few minutes)"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q "localstack-core[test]==$VERSION" "cbor2<5.7" pytest-timeout
fi
SITE=$("$VENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
cat > "$SITE/sitecustomize.py" <<'PY'
# Written by lakebox's tools/localstack_tests.sh for its test venv.
import socket
import warnings

if not hasattr(warnings, "deprecated"):  # Python 3.12: LocalStack imports 3.13's warnings.deprecated
    from typing_extensions import deprecated
    warnings.deprecated = deprecated

_getaddrinfo = socket.getaddrinfo


def _local_names(host, *args, **kwargs):
    """Virtual-host S3 names under LocalStack's domain (and *.localhost) are this machine."""
    if isinstance(host, str) and (host == "localhost.localstack.cloud" or host.endswith(".localhost.localstack.cloud")
                                  or host.endswith(".localhost")):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _local_names
PY
# Python 3.12 cannot evaluate one annotation of LocalStack's package installer module.
API=$SITE/localstack/packages/api.py
head -1 "$API" | grep -q "from __future__ import annotations" || sed -i '1i from __future__ import annotations' "$API"

OUT=${LS_OUT:-/tmp/lakebox-localstack/out-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/lakebox-localstack-work.XXXXXX)
mkdir -p "$OUT"
PATHS="tests/__init__.py tests/conftest.py tests/aws/__init__.py tests/aws/conftest.py tests/aws/services/__init__.py"
PATHS="$PATHS tests/aws/files tests/aws/services/lambda_"  # test data, and helpers the Kinesis tests import
RUN=""
for service in $SERVICES; do PATHS="$PATHS tests/aws/services/$service"; RUN="$RUN tests/aws/services/$service"; done
{ git --git-dir="$SRC/.git" archive "$REF" $PATHS 2>/dev/null || git --git-dir="$SRC" archive "$REF" $PATHS; } | tar x -C "$WORK"
sed -i '/stepfunctions.fixtures\|cloudformation.fixtures/d' "$WORK/tests/conftest.py"
# Stand-ins for LocalStack internals that test modules import at the top.
KINESIS=$WORK/tests/aws/services/kinesis/test_kinesis.py
[ -f "$KINESIS" ] && sed -i 's/^from localstack.services.kinesis import provider as kinesis_provider$/import types; kinesis_provider = types.SimpleNamespace(MAX_SUBSCRIPTION_SECONDS=300)/' "$KINESIS"
IAM=$WORK/tests/aws/services/iam/test_iam.py
[ -f "$IAM" ] && sed -i 's/^from localstack.services.iam.iam_patches import ADDITIONAL_MANAGED_POLICIES$/ADDITIONAL_MANAGED_POLICIES = {}/' "$IAM"

LAKEBOX_CREDENTIALS="000000000002:test2:000000000002" start_lakebox "$OUT" "$WORK" "$PORT" "$WORK/data"
echo "lakebox on 127.0.0.1:$PORT, data $WORK/data, suite localstack $REF ($SERVICES)"

set +e
(cd "$WORK" && TEST_SKIP_LOCALSTACK_START=1 TEST_AWS_ENDPOINT_URL=http://127.0.0.1:$PORT \
  "$VENV/bin/python" -m pytest -p no:cacheprovider $RUN -q -W ignore --timeout 60 --tb=short \
  -m "not aws_only_localstack and not only_localstack" --ignore-glob="*notifications*" \
  -k "not subscribe_to_shard_timeout and not java_sdk and not run_kcl" \
  --junitxml="$OUT/junit.xml" "$@") > "$OUT/pytest.log" 2>&1
set -e
junit_summary "$OUT" localstack
ratchet_finish "$RATCHET" "$UPDATE" "$RATCHET_FILE" "$OUT" "LocalStack ($REF) AWS-validated tests" tools/localstack_tests.sh
