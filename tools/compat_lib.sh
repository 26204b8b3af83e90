# What the compatibility-suite runners share (s3tests.sh, kinesis_compat_tests.sh, pyathena_tests.sh,
# awswrangler_tests.sh, redshift_driver_tests.sh, localstack_tests.sh, moto_verified_tests.sh, s3fs_tests.sh): a free port, a `lakebox serve` started for one run
# and stopped after it, their shared options (--ratchet, --update-ratchet, --help), a summary of a JUnit report, and the ratchet of tests that passed. Sourced by
# them, never run.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_lakebox OUT SCRATCH PORT DATA [serve options...]
# Starts `$LAKEBOX serve` on 127.0.0.1:PORT with its data in DATA, output in OUT/server.out and
# OUT/server.log, and waits for its ready line (60 s at most). On exit the server gets SIGTERM and
# the SCRATCH folder is removed. Sets SERVER to its pid.
start_lakebox() {
  local out=$1 port=$3 data=$4
  LAKEBOX_SCRATCH=$2
  shift 4
  "$LAKEBOX" serve --host 127.0.0.1 --port "$port" --data "$data" "$@" > "$out/server.out" 2> "$out/server.log" &
  SERVER=$!
  trap _stop_lakebox EXIT
  for _ in $(seq 600); do
    grep -q "lakebox ready on" "$out/server.out" 2>/dev/null && return 0
    kill -0 "$SERVER" 2>/dev/null || { echo "lakebox serve exited:" >&2; tail -20 "$out/server.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "lakebox serve not ready after 60 s" >&2
  exit 1
}

_stop_lakebox() {
  if kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER"
    wait "$SERVER" || echo "lakebox exited with $? on SIGTERM" >&2
  fi
  rm -rf "$LAKEBOX_SCRATCH"
}

# ratchet_options HELP_LAST "$@": the options every ratchet runner takes. --ratchet sets RATCHET=1,
# --update-ratchet UPDATE=1, -h/--help prints lines 2 to HELP_LAST of the script (its header) and
# exits; parsing stops at -- or at the first other argument. REST holds the arguments left (for
# pytest): the caller follows with `set -- "${REST[@]}"`.
ratchet_options() {
  local help_last=$1
  shift
  RATCHET=0; UPDATE=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --ratchet) RATCHET=1; shift ;;
      --update-ratchet) UPDATE=1; shift ;;
      --) shift; break ;;
      -h|--help) sed -n "2,${help_last}p" "$0"; exit 0 ;;
      *) break ;;
    esac
  done
  REST=("$@")
}

# ratchet_check RATCHET_FILE PASSED_FILE: names the listed tests that did not pass; 1 if any.
ratchet_check() {
  local missing
  missing=$(comm -23 <(grep -v '^#' "$1" | sort) <(sort "$2"))
  if [ -n "$missing" ]; then
    echo "ratchet: these listed tests no longer pass:"
    echo "$missing"
    return 1
  fi
}

# ratchet_write RATCHET_FILE PASSED_FILE WHAT SCRIPT: the passed tests become the ratchet.
ratchet_write() {
  mkdir -p "$(dirname "$1")"
  { echo "# $3 lakebox passes. Written by $4 --update-ratchet."
    echo "# Checked by $4 --ratchet: any of these failing is a regression."
    cat "$2"; } > "$1"
  echo "ratchet: $(grep -vc '^#' "$1") tests written to $1"
}

# junit_summary OUT LABEL: OUT/passed.txt and OUT/failed.txt (errors count as failures) from
# OUT/junit.xml, and the line "LABEL: N passed, N failed, N skipped".
junit_summary() {
  python3 - "$1" "$2" <<'PY'
import sys
import xml.etree.ElementTree as ET
out, label = sys.argv[1:]
passed, failed, skipped = [], [], []
for case in ET.parse(f"{out}/junit.xml").iter("testcase"):
    node = f"{case.get('classname')}::{case.get('name')}"
    if case.find("error") is not None or case.find("failure") is not None:
        failed.append(node)
    elif case.find("skipped") is not None:
        skipped.append(node)
    else:
        passed.append(node)
open(f"{out}/passed.txt", "w").write("".join(n + "\n" for n in sorted(set(passed))))
open(f"{out}/failed.txt", "w").write("".join(n + "\n" for n in sorted(set(failed))))
print(f"{label}: {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
PY
}

# ratchet_finish RATCHET UPDATE RATCHET_FILE OUT WHAT SCRIPT: the end of a run. With RATCHET=1,
# checks OUT/passed.txt against RATCHET_FILE; with UPDATE=1, rewrites RATCHET_FILE from it (WHAT
# and SCRIPT head the file). Prints the results folder; returns 1 if the ratchet found a regression.
ratchet_finish() {
  local rc=0
  if [ "$1" = 1 ]; then
    ratchet_check "$3" "$4/passed.txt" || rc=1
  fi
  if [ "$2" = 1 ]; then
    ratchet_write "$3" "$4/passed.txt" "$5" "$6"
  fi
  echo "results: $4"
  return "$rc"
}
