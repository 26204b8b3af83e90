#!/usr/bin/env bash
# tools/redshift_driver_tests.sh - Amazon Redshift's Python driver integration suite against a lakebox cluster.
#
# usage: tools/redshift_driver_tests.sh [--ratchet] [--update-ratchet] [-- pytest args]
#
#   --ratchet          fail (exit 1) if a test listed in tests/redshift_driver/passing.txt does not pass
#   --update-ratchet   write this run's passing tests to tests/redshift_driver/passing.txt
#
# The suite is redshift_connector's own `test/integration` (github.com/aws/amazon-redshift-python-driver),
# at the tag of the driver version this project pins (RSD_REF, default v2.1.8). It is never copied into
# this repo: it is exported from a git mirror (RSD_SRC) into a temp folder. Left out: `plugin/` and the
# IdP token test, which need an identity provider. One adaptation: the datatype tests create their
# tables with psql on a hard-coded port 5439, which becomes the cluster's port.
#
# It starts `lakebox serve` on a free port with a temp data dir, creates cluster `ci` (master user
# awsuser, database dev) on another free port, writes the suite's config.ini for it (ssl off: the
# driver's default verify-ca checks Amazon's CA bundle) and runs pytest from a venv of its own
# (RSD_VENV, default /tmp/redshift-driver-tests-venv: the pinned driver, pytest and pytest-mock).
# Results go to $RSD_OUT (default /tmp/lakebox-rsd/out-<time>): junit.xml, pytest.log, passed.txt,
# failed.txt, server.log. The last line printed is "redshift-driver-tests: N passed, N failed, N errors".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
SRC=${RSD_SRC:-/work/.mirror/aws+amazon-redshift-python-driver/repo}
REF=${RSD_REF:-v2.1.8}
VENV=${RSD_VENV:-/tmp/redshift-driver-tests-venv}
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}
PYTHON=${LAKEBOX_PYTHON:-$REPO/.venv/bin/python}
RATCHET_FILE=$REPO/tests/redshift_driver/passing.txt

ratchet_options 21 "$@"
set -- "${REST[@]}"

OUT=${RSD_OUT:-/tmp/lakebox-rsd/out-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/lakebox-rsd-work.XXXXXX)
mkdir -p "$OUT"
PORT=$(free_port); CLUSTER_PORT=$(free_port)

if [ ! -x "$VENV/bin/pytest" ]; then
  echo "creating the suite's venv in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q redshift_connector==2.1.8 pytest==9.2.0 pytest-mock==3.17.0 pytest-timeout==2.4.0 \
    pandas==3.1.1 numpy==2.4.6
fi

git --git-dir="$SRC" archive "$REF" test 2>/dev/null | tar x -C "$WORK" \
  || git -C "$SRC" archive "$REF" test | tar x -C "$WORK"
sed -i "s/--port 5439/--port $CLUSTER_PORT/" "$WORK/test/integration/datatype/_generate_test_datatype_tables.py"
cat > "$WORK/test/config.ini" <<INI
[ci-cluster]
database = dev
host = 127.0.0.1
test_user = awsuser
test_password = Passw0rd1
region = us-east-1
cluster_identifier = ci

[default-test]
port = $CLUSTER_PORT
ssl = false
sslmode = verify-ca
INI

start_lakebox "$OUT" "$WORK" "$PORT" "$WORK/data"
AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
  "$PYTHON" - "$CLUSTER_PORT" <<'PY'
import sys
import boto3
redshift = boto3.client("redshift")
redshift.create_cluster(ClusterIdentifier="ci", NodeType="ra3.xlplus", ClusterType="single-node", DBName="dev",
                        MasterUsername="awsuser", MasterUserPassword="Passw0rd1", Port=int(sys.argv[1]))
redshift.get_waiter("cluster_available").wait(ClusterIdentifier="ci", WaiterConfig={"Delay": 1})
PY
echo "lakebox on 127.0.0.1:$PORT, cluster ci on port $CLUSTER_PORT, suite $REF"

set +e
(cd "$WORK" && "$VENV/bin/pytest" -q -p no:cacheprovider --timeout 120 -W ignore -rfE \
  --junitxml="$OUT/junit.xml" --ignore=test/integration/plugin \
  --ignore=test/integration/test_idp_token_auth_integration.py "${@:-test/integration}") > "$OUT/pytest.log" 2>&1
set -e

python3 - "$OUT" <<'PY'
import sys
import xml.etree.ElementTree as ET
out = sys.argv[1]
passed, failed, errors = [], [], []
for case in ET.parse(f"{out}/junit.xml").iter("testcase"):
    node = f"{case.get('classname')}::{case.get('name')}"
    if case.find("error") is not None:
        errors.append(node)
    elif case.find("failure") is not None:
        failed.append(node)
    elif case.find("skipped") is None:
        passed.append(node)
open(f"{out}/passed.txt", "w").write("".join(n + "\n" for n in sorted(passed)))
open(f"{out}/failed.txt", "w").write("".join(n + "\n" for n in sorted(failed + errors)))
print(f"redshift-driver-tests: {len(passed)} passed, {len(failed)} failed, {len(errors)} errors")
PY
ratchet_finish "$RATCHET" "$UPDATE" "$RATCHET_FILE" "$OUT" "redshift_connector $REF integration tests" \
  tools/redshift_driver_tests.sh
