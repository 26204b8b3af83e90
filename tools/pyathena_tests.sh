#!/usr/bin/env bash
# tools/pyathena_tests.sh - PyAthena's own integration suite (written against real Athena) on lakebox.
#
# usage: tools/pyathena_tests.sh [--ratchet] [--update-ratchet] [-- pytest args]
#
#   --ratchet          fail (exit 1) if a test listed in tests/pyathena_compat/passing.txt does not pass
#   --update-ratchet   write this run's passing tests to tests/pyathena_compat/passing.txt
#
# The suite is PyAthena's `tests/pyathena` (github.com/laughingman7743/PyAthena) at PYA_REF (default
# v3.25.0). It is never copied into this repo: it is exported from a git mirror (PYA_SRC) into a temp
# folder and run against the released driver of the same version (PYA_DRIVER, default
# pyathena==3.25.0), so every failure is lakebox's and none a test written for another driver. The
# project pins pyathena 4.2.1, but 4.x's tests are not in the mirror (its newest commit is v3.25.0);
# once they are, set PYA_REF to that commit and PYA_DRIVER to its release (and PYA_DEPS, below, to the
# versions that commit's lock file pins). Left out:
# `tests/pyathena/spark` (Athena for Apache Spark sessions and calculations) and the SQLAlchemy
# dialect compliance suite `tests/sqlalchemy` (a separate session with its own setup).
#
# It starts `lakebox serve` on a free port with a temp data dir, creates the staging bucket and the
# workgroups the suite expects (`pyathena` with its own result location, like the suite's CloudFormation
# template; `primary` exists already), points every AWS client at lakebox through AWS_ENDPOINT_URL
# with dummy credentials, and runs pytest with PYA_WORKERS xdist workers (default 4: the tests mostly
# wait on polling) from a venv of its own (PYA_VENV, default /tmp/pyathena-tests-venv). Results go to $PYA_OUT (default /tmp/lakebox-pya/out-<time>): junit.xml,
# pytest.log, passed.txt, failed.txt, server.log. The last line printed before the results folder is
# "pyathena: N passed, N failed, N skipped" (failed counts errors too).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
SRC=${PYA_SRC:-/work/.mirror/laughingman7743+PyAthena/repo}
REF=${PYA_REF:-v3.25.0}
DRIVER=${PYA_DRIVER:-pyathena==3.25.0}
# The suite's test dependencies: its pyproject's dev group at the versions its uv.lock pins for
# Python 3.11 (pandas 2, pyarrow 18, SQLAlchemy 2.0.36), plus pytest-timeout.
DEPS=${PYA_DEPS:-sqlalchemy==2.0.36 pandas==2.2.3 numpy==2.0.2 pyarrow==18.1.0 polars==1.36.1 \
Jinja2==3.1.5 pytest==8.3.4 pytest-xdist==3.6.1 pytest-dependency==0.6.0 pytest-timeout==2.4.0}
VENV=${PYA_VENV:-/tmp/pyathena-tests-venv}
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}
PYTHON=${LAKEBOX_PYTHON:-$REPO/.venv/bin/python}
RATCHET_FILE=$REPO/tests/pyathena_compat/passing.txt
BUCKET=pyathena-test
WORKGROUP=pyathena

ratchet_options 25 "$@"
set -- "${REST[@]}"

OUT=${PYA_OUT:-/tmp/lakebox-pya/out-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/lakebox-pya-work.XXXXXX)
mkdir -p "$OUT"
PORT=$(free_port)

# The venv is rebuilt whenever the driver or the dependency list changes.
WANT="$DRIVER $DEPS"
if [ ! -x "$VENV/bin/pytest" ] || [ "$(cat "$VENV/.lakebox-deps" 2>/dev/null)" != "$WANT" ]; then
  echo "creating the suite's venv in $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086  # DEPS is a list of requirements
  "$VENV/bin/pip" install -q --disable-pip-version-check "$DRIVER" $DEPS
  echo "$WANT" > "$VENV/.lakebox-deps"
fi

git --git-dir="$SRC" archive "$REF" tests pyproject.toml 2>/dev/null | tar x -C "$WORK" \
  || git -C "$SRC" archive "$REF" tests pyproject.toml | tar x -C "$WORK"
# Only the suite's folder is exported, so `import pyathena` finds the venv's pinned driver.
# pyarrow's S3 filesystem (ArrowCursor's result reader) ignores AWS_ENDPOINT_URL, which every other
# client of the suite honours; this plugin gives it the same endpoint.
mkdir -p "$WORK/plugins"
cat > "$WORK/plugins/lakebox_endpoint.py" <<'PY'
import os
from urllib.parse import urlsplit

from pyarrow import fs

_S3FileSystem = fs.S3FileSystem


def _s3_at_endpoint(**kwargs):
    endpoint = urlsplit(os.environ["AWS_ENDPOINT_URL"])
    kwargs.setdefault("endpoint_override", endpoint.netloc)
    kwargs.setdefault("scheme", endpoint.scheme)
    return _S3FileSystem(**kwargs)


fs.S3FileSystem = _s3_at_endpoint
PY

start_lakebox "$OUT" "$WORK" "$PORT" "$WORK/data"

export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-west-2
export AWS_ATHENA_S3_STAGING_DIR=s3://$BUCKET/staging/ AWS_ATHENA_WORKGROUP=$WORKGROUP
export AWS_ATHENA_SPARK_WORKGROUP=$WORKGROUP-spark AWS_ATHENA_DEFAULT_WORKGROUP=primary
"$PYTHON" - "$BUCKET" "$WORKGROUP" <<'PY'
import sys
import boto3
bucket, workgroup = sys.argv[1:]
boto3.client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
boto3.client("athena").create_work_group(Name=workgroup, Configuration={
    "ResultConfiguration": {"OutputLocation": f"s3://{bucket}/workgroup={workgroup}/"},
    "EnforceWorkGroupConfiguration": False, "PublishCloudWatchMetricsEnabled": False,
    "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"}})
PY
echo "lakebox on 127.0.0.1:$PORT, suite $REF, driver $("$VENV/bin/python" -c 'import pyathena; print(pyathena.__version__)')"

set +e
(cd "$WORK" && PYTHONPATH="$WORK/plugins" "$VENV/bin/pytest" -q -p no:cacheprovider -p lakebox_endpoint \
  -n "${PYA_WORKERS:-4}" --timeout 300 -W ignore -rfE --continue-on-collection-errors \
  --junitxml="$OUT/junit.xml" --ignore=tests/pyathena/spark "${@:-tests/pyathena}") > "$OUT/pytest.log" 2>&1
set -e

junit_summary "$OUT" pyathena
ratchet_finish "$RATCHET" "$UPDATE" "$RATCHET_FILE" "$OUT" "PyAthena $REF integration tests (driver $DRIVER)" \
  tools/pyathena_tests.sh
