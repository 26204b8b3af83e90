#!/usr/bin/env bash
# tools/pyarrow_s3_tests.sh - Apache Arrow's own tests of its S3 filesystem (pyarrow.fs.S3FileSystem,
# datasets and Parquet over S3) against `lakebox serve`.
#
# usage: tools/pyarrow_s3_tests.sh [--ratchet] [--update-ratchet] [-- pytest args]
#
#   --ratchet          fail (exit 1) if a test listed in tests/pyarrow_compat/passing.txt does not pass
#   --update-ratchet   write this run's passing tests to tests/pyarrow_compat/passing.txt
#
# pyarrow ships its tests in its wheel. Its S3 tests start a MinIO server (`minio server
# --address HOST:PORT DIR`), wait for MinIO's health URL, and sign with MinIO's keys. Here the
# `minio` on the tests' PATH is a stand-in that runs `lakebox serve` on that address with its data
# in DIR, and the health check asks lakebox's `/_lakebox/health`: those are the only changes,
# made in a venv of its own (PYARROW_VENV) with the pyarrow release lakebox pins. Tests that
# configure MinIO users through MinIO's admin client (`mc`) skip, as they do without `mc`.
#
# Environment: PYARROW_VENV, PYARROW_OUT (results), LAKEBOX.
# Results: $PYARROW_OUT/{junit.xml,pytest.log,passed.txt,failed.txt}.
# The last line printed before the results folder is "pyarrow-s3: N passed, N failed, N skipped".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
VENV=${PYARROW_VENV:-/tmp/pyarrow-tests-venv}
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}
RATCHET_FILE=$REPO/tests/pyarrow_compat/passing.txt
PYARROW_PIN=$(grep -o '"pyarrow==[^"]*"' "$REPO/pyproject.toml" | tr -d '"')

ratchet_options 19 "$@"
set -- "${REST[@]}"

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pyarrow, pytest, pandas, fsspec, s3fs, hypothesis, cloudpickle, boto3" 2>/dev/null; then
  echo "creating $VENV with $PYARROW_PIN and the tests' requirements"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "$PYARROW_PIN" pytest pytest-timeout hypothesis cloudpickle boto3 pandas "$(grep -o '"s3fs==[^"]*"' "$REPO/pyproject.toml" | tr -d '"')"
fi
CONFTEST=$("$VENV/bin/python" -c "import os, pyarrow.tests as t; print(os.path.dirname(t.__file__))")/conftest.py
sed -i 's|f"http://{address}/minio/health/live"|f"http://{address}/_lakebox/health"|' "$CONFTEST"
grep -q "_lakebox/health" "$CONFTEST" || { echo "pyarrow's conftest changed: no MinIO health check found" >&2; exit 2; }

OUT=${PYARROW_OUT:-/tmp/lakebox-pyarrow/out-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/lakebox-pyarrow-work.XXXXXX)
mkdir -p "$OUT" "$WORK/bin"
cat > "$WORK/bin/minio" <<SH
#!/usr/bin/env bash
# Stands in for \`minio [--compat] server [--quiet] --address HOST:PORT DIR\`: lakebox serves instead.
address="" dir=""
while [ \$# -gt 0 ]; do
  case "\$1" in
    --address) address=\$2; shift 2 ;;
    --version) echo "lakebox (not minio)"; exit 0 ;;
    --*|server) shift ;;
    *) dir=\$1; shift ;;
  esac
done
exec "$LAKEBOX" serve --host "\${address%:*}" --port "\${address##*:}" --data "\$dir/lakebox-data" >> "$OUT/server.log" 2>&1
SH
chmod +x "$WORK/bin/minio"
trap 'rm -rf "$WORK"' EXIT

set +e
(cd "$WORK" && PATH="$WORK/bin:$PATH" PYARROW_TEST_S3=ON "$VENV/bin/python" -m pytest -p no:cacheprovider --pyargs \
  pyarrow.tests.parquet pyarrow.tests.test_dataset pyarrow.tests.test_fs -q -W ignore --timeout 300 --tb=short \
  -k "s3 or S3" --junitxml="$OUT/junit.xml" "$@") > "$OUT/pytest.log" 2>&1
set -e
junit_summary "$OUT" pyarrow-s3
ratchet_finish "$RATCHET" "$UPDATE" "$RATCHET_FILE" "$OUT" "pyarrow S3 tests" tools/pyarrow_s3_tests.sh
