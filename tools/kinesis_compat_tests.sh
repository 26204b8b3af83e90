#!/usr/bin/env bash
# tools/kinesis_compat_tests.sh - the kinesalite test suite (written against real AWS Kinesis) against lakebox.
#
# usage: tools/kinesis_compat_tests.sh [--quick] [--ratchet] [--update-ratchet] [-- test/FILE.js ...]
#
#   --quick            leave out the one test that waits five minutes for an iterator to expire
#   --ratchet          fail (exit 1) if a test listed in tests/kinesis_compat/passing.txt does not pass
#   --update-ratchet   write this run's passing tests to tests/kinesis_compat/passing.txt
#
# The suite is kinesalite's mocha suite (github.com/mhart/kinesalite, test/*.js) at KC_REF (default the
# 3.3.3 release, c76689d). Its assertions were recorded against real Kinesis, and it can run against AWS
# itself (its REMOTE mode), which is what this script does with lakebox as the remote. The suite is never
# copied into this repo: it is exported from a git mirror (KC_SRC) into a temp folder, and its npm
# dependencies are installed there (KC_DEPS caches them, default /tmp/kinesis-compat-deps).
# Needs node and npm; not part of `make test`.
#
# Adaptations, made to the exported copy only:
# - test/helpers.js sends every request to http://127.0.0.1:PORT, signed with SigV4 for service kinesis
#   in KC_REGION (default us-east-1), instead of starting an in-process kinesalite;
# - "should connect to SSL" is left out: it starts kinesalite's own TLS server and never reaches lakebox;
# - an assertion that fails in a response callback fails the test that sent the request, and one that
#   fails after its test has ended is logged, not allowed to abort the run (code appended to helpers.js,
#   and test/late-errors.js).
#
# It starts `lakebox serve` on a free port with a temp data dir and runs mocha once per test file (all
# of them, or those named after --), with a 30 s test timeout (the suite's own setting for a remote
# endpoint). Results go to $KC_OUT (default /tmp/lakebox-kinesis-compat/out-<time>): files/*.json
# (mocha's json reports) and results.json (merged), mocha.log, passed.txt, failed.txt, failures.txt
# (each failure's first message), server.log and summary.txt. With --quick, --ratchet does not expect
# the test it leaves out.
# The last line printed is "kinesis-compat: N passed, N failed".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
SRC=${KC_SRC:-/work/.mirror/mhart+kinesalite/repo}
REF=${KC_REF:-c76689d}
REGION=${KC_REGION:-us-east-1}
DEPS=${KC_DEPS:-/tmp/kinesis-compat-deps}
NODE_MODULES=$DEPS/node_modules
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}
PYTHON=${LAKEBOX_PYTHON:-$REPO/.venv/bin/python}
RATCHET_FILE=$REPO/tests/kinesis_compat/passing.txt

RATCHET=0; UPDATE=0; QUICK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --ratchet) RATCHET=1; shift ;;
    --update-ratchet) UPDATE=1; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed" >&2; exit 2; }

OUT=${KC_OUT:-/tmp/lakebox-kinesis-compat/out-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/lakebox-kinesis-compat-work.XXXXXX)
mkdir -p "$OUT"
PORT=$(free_port)

# The mirror may be a bare repository or hold one in .git.
{ git --git-dir="$SRC/.git" archive "$REF" 2>/dev/null || git --git-dir="$SRC" archive "$REF"; } | tar x -C "$WORK"

# Dependencies: the suite's devDependencies plus the helpers' runtime ones (async, once, cbor, ...);
# installed once from the suite's lock file, without the optional native leveldown.
if [ ! -d "$NODE_MODULES/mocha" ] || ! cmp -s "$WORK/package-lock.json" "$NODE_MODULES/.kc-lock.json"; then
  echo "installing the suite's npm dependencies into $NODE_MODULES"
  (cd "$WORK" && npm ci --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  rm -rf "$NODE_MODULES"; mkdir -p "$DEPS"; mv "$WORK/node_modules" "$NODE_MODULES"
  cp "$WORK/package-lock.json" "$NODE_MODULES/.kc-lock.json"
fi
ln -s "$NODE_MODULES" "$WORK/node_modules"

# Point the helpers at lakebox: a fixed endpoint over http, SigV4 for kinesis, and no kinesalite server.
HELPERS=$WORK/test/helpers.js
sed -i \
  -e "s|{host: '127.0.0.1', port: port, method: 'POST'}|{host: '127.0.0.1', port: $PORT, method: 'POST', service: 'kinesis', region: exports.awsRegion}|" \
  -e "s|^var kinesaliteServer = kinesalite(.*|var kinesaliteServer = {listen: function(port, cb) { cb() }, close: function(cb) { cb() }}|" \
  "$HELPERS"
grep -q "port: $PORT, method" "$HELPERS" && grep -q "listen: function(port, cb)" "$HELPERS" \
  || { echo "could not patch test/helpers.js of $REF" >&2; exit 1; }
# The suite asserts inside response callbacks, several at once (one per bad value). An assertion that
# throws there is uncaught: mocha pins it on whichever test runs at that moment, and gives up on the
# file when that test had already passed. So each request remembers the test that sent it, and an
# assertion failing in its callback fails that test (or, once that test has ended, goes to mocha.log).
cat >> "$HELPERS" <<'JS'

var requestingTest = null
beforeEach(function() { requestingTest = this.currentTest })
var sendRequest = request
request = exports.request = function(options, cb) {
  if (typeof options === 'function') { cb = options; options = {} }
  var test = requestingTest
  return sendRequest(options, function(err, res) {
    try {
      return cb(err, res)
    } catch (e) {
      if (test && test.callback && !test.state && !test.timedOut) return test.callback(e)
      console.error('late error from "' + (test ? test.fullTitle() : 'a hook') + '": ' + e.message)
    }
  })
}
JS

# The suite asserts inside async callbacks: when lakebox answers differently, the callbacks a failed
# test left behind may throw after a later test has passed, and mocha aborts the whole run on that.
# Such a late error is written to mocha.log instead, so one difference does not hide all later tests.
cat > "$WORK/test/late-errors.js" <<'JS'
var Runner = require('mocha/lib/runner')
var uncaught = Runner.prototype.uncaught
Runner.prototype.uncaught = function(err) {
  var runnable = this.currentRunnable
  if (runnable && runnable.isPassed()) {
    console.error('late error after "' + runnable.fullTitle() + '" had passed: ' + (err && err.message))
    return
  }
  return uncaught.call(this, err)
}
JS

start_lakebox "$OUT" "$WORK" "$PORT" "$WORK/data"
echo "lakebox on 127.0.0.1:$PORT, data $WORK/data, suite kinesalite $REF"

SKIP='should connect to SSL'
[ "$QUICK" = 1 ] && SKIP="$SKIP|should return ExpiredIteratorException if ShardIterator has expired"
# One mocha process per test file: if mocha still gives up on a file, the other files run all the same.
FILES=("$@")
[ ${#FILES[@]} -gt 0 ] || FILES=($(cd "$WORK" && ls test/*.js | grep -v -e helpers.js -e late-errors.js))
mkdir -p "$OUT/files"
set +e
for file in "${FILES[@]}"; do
  (cd "$WORK" && AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=$REGION \
    node_modules/.bin/mocha --require should --require ./test/late-errors.js --exit -t 30s --grep "$SKIP" --invert \
    --reporter json "$file") > "$OUT/files/$(basename "$file" .js).json" 2>> "$OUT/mocha.log"
done
set -e
"$PYTHON" - "$OUT" <<'PY'
import glob
import json
import sys
out = sys.argv[1]
merged = {"passes": [], "failures": [], "pending": []}
for path in sorted(glob.glob(f"{out}/files/*.json")):
    try:
        part = json.load(open(path))
    except ValueError:
        print(f"no results from {path}", file=sys.stderr)
        continue
    for key in merged:
        merged[key] += part.get(key, [])
json.dump(merged, open(f"{out}/results.json", "w"), indent=1)
PY
[ -s "$OUT/results.json" ] || { echo "mocha wrote no results:" >&2; tail -30 "$OUT/mocha.log" >&2; exit 1; }

"$PYTHON" - "$OUT" <<'PY'
import json
import sys
out = sys.argv[1]
results = json.load(open(f"{out}/results.json"))
passed = [t["fullTitle"] for t in results["passes"]]
failed = [t["fullTitle"] for t in results["failures"]]
notes = [f"{t['fullTitle']}\n    {' '.join(t['err'].get('message', '').split())[:600]}\n" for t in results["failures"]]
open(f"{out}/passed.txt", "w").write("".join(n + "\n" for n in sorted(passed)))
open(f"{out}/failed.txt", "w").write("".join(n + "\n" for n in sorted(failed)))
open(f"{out}/failures.txt", "w").write("".join(sorted(notes)))
summary = f"kinesis-compat: {len(passed)} passed, {len(failed)} failed"
open(f"{out}/summary.txt", "w").write(summary + "\n")
print(summary)
PY
RC=0
if [ "$RATCHET" = 1 ]; then
  # --quick leaves the iterator expiry test out, so it is not expected then.
  expected=$OUT/expected.txt
  grep -v '^#' "$RATCHET_FILE" | { [ "$QUICK" = 1 ] && grep -v 'ShardIterator has expired' || cat; } > "$expected"
  ratchet_check "$expected" "$OUT/passed.txt" || RC=1
fi
if [ "$UPDATE" = 1 ]; then
  ratchet_write "$RATCHET_FILE" "$OUT/passed.txt" "kinesalite $REF tests" tools/kinesis_compat_tests.sh
fi
echo "results: $OUT"
cat "$OUT/summary.txt"
exit "$RC"
