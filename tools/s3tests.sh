#!/usr/bin/env bash
# tools/s3tests.sh - the ceph/s3-tests compatibility run against a fresh `lakebox serve`.
#
# usage: tools/s3tests.sh [--scope foundation|core|FILE] [--auth open|strict] [--ratchet] [--update-ratchet]
#                         [-- pytest args]
#
#   --scope foundation  (default) the 331 core tests whose features belong to the foundation issue,
#                       listed in ../shared/tools/s3-tests-scope-foundation.txt
#   --scope core        the whole core profile (515 tests)
#   --scope FILE        any file of s3-tests node ids, one a line
#   --auth open         (default) any key is accepted; strict checks every signature against the two
#                       configured keys (unknown keys get InvalidAccessKeyId)
#   --ratchet           fail (exit 1) if a test in tests/s3compat/passing-<scope>.txt does not pass
#   --update-ratchet    write this run's passing tests to tests/s3compat/passing-<scope>.txt
#
# It starts lakebox on a free port with a temp data dir and --auth open, with the suite's "main" and
# "alt" sample keys mapped to two different accounts (LAKEBOX_CREDENTIALS), because the suite's ACL
# and access tests need two owners; unknown keys still work as the default account. The server runs
# with LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter, because the suite assumes S3's bucket defaults from
# before April 2023 (ACLs enabled, no public access block). Then it calls
# ../shared/tools/run-s3-tests.sh with S3T_PROFILE=core. The suite is never copied into this repo:
# it is exported from a git mirror (S3TESTS_SRC, default the local mirror of github.com/ceph/s3-tests)
# at S3T_REF (default the reference commit 8f0ae7b4).
#
# Environment: S3TESTS_SRC, S3T_REF, S3T_OUT (results dir), RUN_S3_TESTS (path of run-s3-tests.sh),
# LAKEBOX (the lakebox executable). Results: $S3T_OUT/{junit.xml,pytest.log,passed.txt,failed.txt,
# summary.txt,report.md,server.log}. Last line: "s3-tests: N passed, N failed, N skipped".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
RUNNER=${RUN_S3_TESTS:-$REPO/../shared/tools/run-s3-tests.sh}
SRC=${S3TESTS_SRC:-/work/.mirror/ceph+s3-tests/repo}
export S3T_REF=${S3T_REF:-8f0ae7b404a3a2fcf7038bf1e6bf29544fe9b6a3}
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}

SCOPE=foundation; AUTH=open; RATCHET=0; UPDATE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scope) SCOPE=$2; shift 2 ;;
    --auth) AUTH=$2; shift 2 ;;
    --ratchet) RATCHET=1; shift ;;
    --update-ratchet) UPDATE=1; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
case "$SCOPE" in
  foundation) SCOPE_FILE=$(dirname "$RUNNER")/s3-tests-scope-foundation.txt ;;
  core) SCOPE_FILE="" ;;
  *) SCOPE_FILE=$(cd "$(dirname "$SCOPE")" && pwd)/$(basename "$SCOPE") ;;
esac
[ -n "$SCOPE_FILE" ] && [ ! -f "$SCOPE_FILE" ] && { echo "no scope file $SCOPE_FILE" >&2; exit 2; }
# One passing list per named scope: foundation (the S3 core issue) and core (the whole profile).
case "$SCOPE" in
  foundation|core) RATCHET_FILE=$REPO/tests/s3compat/passing-$SCOPE.txt ;;
  *) RATCHET_FILE=$REPO/tests/s3compat/passing-custom.txt ;;
esac

OUT=${S3T_OUT:-/tmp/lakebox-s3tests/out-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/lakebox-s3tests-data.XXXXXX)
PORT=$(free_port)

# main -> account 111111111111, alt -> 222222222222, tenant -> 333333333333 (run-s3-tests.sh's default keys)
MAIN_KEY=${S3T_MAIN_ACCESS_KEY:-0555b35654ad1656d804}
MAIN_SECRET=${S3T_MAIN_SECRET_KEY:-h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q==}
ALT_KEY=${S3T_ALT_ACCESS_KEY:-NOPQRSTUVWXYZABCDEFG}
ALT_SECRET=${S3T_ALT_SECRET_KEY:-nopqrstuvwxyzabcdefghijklmnabcdefghijklm}
TENANT_KEY=${S3T_TENANT_ACCESS_KEY:-HIJKLMNOPQRSTUVWXYZA}
TENANT_SECRET=${S3T_TENANT_SECRET_KEY:-opqrstuvwxyzabcdefghijklmnopqrstuvwxyzab}
# The suite grants ACLs to its users by the fixed canonical ids of run-s3-tests.sh's config; each
# is declared as another id of its account, so that such a grant reaches the right account.
MAIN_ID=testid
ALT_ID=56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234
TENANT_ID='testx$9876543210abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
# the suite's bucket cleanup also lists with the tenant key, so strict mode must know it too
export LAKEBOX_CREDENTIALS="$MAIN_KEY:$MAIN_SECRET:111111111111:$MAIN_ID,$ALT_KEY:$ALT_SECRET:222222222222:$ALT_ID,$TENANT_KEY:$TENANT_SECRET:333333333333:$TENANT_ID"

LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter start_lakebox "$OUT" "$DATA" "$PORT" "$DATA/data" --auth "$AUTH"
echo "lakebox on 127.0.0.1:$PORT, --auth $AUTH, data $DATA/data, scope ${SCOPE_FILE:-core profile}"

EXTRA=()
if [ -n "$SCOPE_FILE" ]; then
  export S3T_SCOPE_FILE=$SCOPE_FILE
  EXTRA+=(-p s3t_scope)
fi
[ "$RATCHET" = 1 ] && export S3T_EXPECT=$RATCHET_FILE
set +e
S3T_PROFILE=core S3T_OUT="$OUT" PYTHONPATH="$REPO/tools${PYTHONPATH:+:$PYTHONPATH}" \
  "$RUNNER" "$SRC" 127.0.0.1 "$PORT" "${EXTRA[@]}" "$@" | tee "$OUT/run.txt"
RC=${PIPESTATUS[0]}
set -e

python3 "$REPO/tools/s3tests_report.py" "$OUT" ${SCOPE_FILE:+--scope "$SCOPE_FILE"} > "$OUT/report.md" || true
head -n 22 "$OUT/report.md"
if [ "$UPDATE" = 1 ] && [ -s "$OUT/junit.xml" ]; then
  ratchet_write "$RATCHET_FILE" "$OUT/passed.txt" "ceph/s3-tests ($S3T_REF) tests of the $SCOPE scope" tools/s3tests.sh
fi
echo "results: $OUT"
tail -n 1 "$OUT/run.txt"
exit "$RC"
