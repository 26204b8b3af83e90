#!/usr/bin/env bash
# tools/awswrangler_tests.sh - AWS SDK for pandas' (awswrangler's) own test suite, written against real
# AWS, run on lakebox.
#
# usage: tools/awswrangler_tests.sh [--ratchet] [--update-ratchet] [-- pytest args]
#
#   --ratchet          fail (exit 1) if a test listed in tests/awswrangler_compat/passing.txt does not pass
#   --update-ratchet   write this run's passing tests to tests/awswrangler_compat/passing.txt
#
# The suite is `tests/` of github.com/aws/aws-sdk-pandas at AWW_REF (default 3.17.0), exported from a
# git mirror (AWW_SRC) into a temp folder, never copied into this repo, and run against the released
# library of the same version (AWW_DRIVER) in a venv of its own (AWW_VENV). Only the files for the
# services lakebox serves run (AWW_FILES: S3, Athena, the Glue catalog, Glue Data Quality, Redshift,
# the Redshift Data API, EMR and CloudWatch Logs).
#
# The suite finds its resources in CloudFormation stack outputs and reads its database password from
# Secrets Manager; lakebox serves neither, so two adaptations are made to the exported copy, and only
# there: `extract_cloudformation_outputs()` returns the resources this script creates on lakebox (a
# versioned bucket, a Glue database, a log group and stream, a Redshift cluster `aws-sdk-pandas` with
# user `test`, its IAM role, a Glue JDBC connection `aws-sdk-pandas-redshift` to it, a Redshift
# Serverless namespace and workgroup `aws-sdk-pandas`, and the suite's Athena workgroups that have no
# KMS key), and the `db_password` fixture returns that cluster's
# password. Everything else runs as written.
#
# Results go to $AWW_OUT (default /tmp/lakebox-aww/out-<time>): junit.xml, pytest.log, passed.txt,
# failed.txt, server.log. The last line printed before the results folder is
# "awswrangler: N passed, N failed, N skipped" (failed counts errors too).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tools/compat_lib.sh"
SRC=${AWW_SRC:-/work/.mirror/aws+aws-sdk-pandas/repo}
REF=${AWW_REF:-3.17.0}
DRIVER=${AWW_DRIVER:-awswrangler[redshift]==3.17.0}
DEPS=${AWW_DEPS:-pytest==8.3.4 pytest-xdist==3.6.1 pytest-timeout==2.4.0 pytest-rerunfailures==15.0 \
moto==5.1.22 openpyxl==3.1.5 s3fs==2026.6.0}
VENV=${AWW_VENV:-/tmp/awswrangler-tests-venv}
LAKEBOX=${LAKEBOX:-$REPO/.venv/bin/lakebox}
PYTHON=${LAKEBOX_PYTHON:-$REPO/.venv/bin/python}
RATCHET_FILE=$REPO/tests/awswrangler_compat/passing.txt
FILES=${AWW_FILES:-"test_s3.py test_s3_parquet.py test_s3_text.py test_s3_text_compressed.py test_s3_select.py \
test_s3_orc.py test_s3_wait.py test_fs.py test_athena.py test_athena_csv.py test_athena_parquet.py \
test_athena_prepared.py test_athena_projection.py test_athena_cache.py test_catalog.py test_data_quality.py \
test_redshift.py test_data_api.py test_emr.py test_cloudwatch.py"}
PASSWORD=Pandas-Passw0rd

ratchet_options 25 "$@"
set -- "${REST[@]}"

OUT=${AWW_OUT:-/tmp/lakebox-aww/out-$(date +%Y%m%d-%H%M%S)}
WORK=$(mktemp -d /tmp/lakebox-aww-work.XXXXXX)
mkdir -p "$OUT"
PORT=$(free_port); CLUSTER_PORT=$(free_port)

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
# The two adaptations (see the header): resources from this run, not from CloudFormation and Secrets
# Manager.
cat >> "$WORK/tests/_utils.py" <<'PY'


def extract_cloudformation_outputs():
    """lakebox run: the resources tools/awswrangler_tests.sh created, in place of the stack outputs."""
    import json as _json
    import os as _os

    return _json.loads(_os.environ["LAKEBOX_AWW_OUTPUTS"])
PY
sed -i 's|boto3.client("secretsmanager").get_secret_value(SecretId="aws-sdk-pandas/db_password")\["SecretString"\]|os.environ["LAKEBOX_AWW_PASSWORD"]|' \
  "$WORK/tests/conftest.py"
grep -q 'LAKEBOX_AWW_PASSWORD' "$WORK/tests/conftest.py" || { echo "db_password fixture not adapted" >&2; exit 1; }

start_lakebox "$OUT" "$WORK" "$PORT" "$WORK/data"

export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-east-1 LAKEBOX_AWW_PASSWORD=$PASSWORD
LAKEBOX_AWW_OUTPUTS=$("$PYTHON" - "$CLUSTER_PORT" "$PASSWORD" <<'PY'
import json
import sys
import boto3
port, password = int(sys.argv[1]), sys.argv[2]
region = "us-east-1"
bucket, database, group, stream = "aws-sdk-pandas-bucket", "aws_sdk_pandas", "aws_sdk_pandas", "aws_sdk_pandas"
boto3.client("s3").create_bucket(Bucket=bucket)
boto3.client("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
boto3.client("glue").create_database(DatabaseInput={"Name": database})
logs = boto3.client("logs")
logs.create_log_group(logGroupName=group)
logs.create_log_stream(logGroupName=group, logStreamName=stream)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "redshift.amazonaws.com"}}]}
role = boto3.client("iam").create_role(RoleName="aws-sdk-pandas-redshift",
                                       AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
redshift = boto3.client("redshift")
redshift.create_cluster(ClusterIdentifier="aws-sdk-pandas", NodeType="ra3.xlplus", ClusterType="single-node",
                        DBName="test", MasterUsername="test", MasterUserPassword=password, Port=port,
                        IamRoles=[role])
redshift.get_waiter("cluster_available").wait(ClusterIdentifier="aws-sdk-pandas", WaiterConfig={"Delay": 1})
serverless = boto3.client("redshift-serverless")
serverless.create_namespace(namespaceName="aws-sdk-pandas", dbName="test", adminUsername="test",
                            adminUserPassword=password, iamRoles=[role])
serverless.create_workgroup(workgroupName="aws-sdk-pandas", namespaceName="aws-sdk-pandas")
# The suite's Athena workgroups without a KMS key, as its long-lived account holds them: the suite
# creates a missing one from each xdist worker, and two workers creating one at once fail the loser.
athena = boto3.client("athena")
for suffix, result in (("0", {}), ("1", {"EncryptionConfiguration": {"EncryptionOption": "SSE_S3"}})):
    athena.create_work_group(Name=f"aws_sdk_pandas_{suffix}", Description=f"AWS SDK for pandas Test - {suffix}",
                             Configuration={
        "ResultConfiguration": {"OutputLocation": f"s3://{bucket}/athena_workgroup{suffix}/", **result},
        "EnforceWorkGroupConfiguration": True, "PublishCloudWatchMetricsEnabled": True,
        "BytesScannedCutoffPerQuery": 100_000_000, "RequesterPaysEnabled": False})
athena.create_work_group(Name="aws_sdk_pandas_managed", Configuration={
    "ManagedQueryResultsConfiguration": {"Enabled": True}, "EnforceWorkGroupConfiguration": True,
    "PublishCloudWatchMetricsEnabled": True, "RequesterPaysEnabled": False})
boto3.client("glue").create_connection(ConnectionInput={
    "Name": "aws-sdk-pandas-redshift", "ConnectionType": "JDBC",
    "ConnectionProperties": {"JDBC_CONNECTION_URL": f"jdbc:redshift://127.0.0.1:{port}/test",
                             "USERNAME": "test", "PASSWORD": password}})
print(json.dumps({
    "Region": region, "BucketName": bucket, "GlueDatabaseName": database, "LogGroupName": group,
    "LogStream": stream, "RedshiftAddress": "127.0.0.1", "RedshiftPort": str(port),
    "RedshiftIdentifier": "aws-sdk-pandas", "RedshiftSchema": "public", "RedshiftDatabase": "test",
    "RedshiftRole": role, "GlueDataQualityRole": role, "RedshiftServerlessWorkgroup": "aws-sdk-pandas",
    "RedshiftServerlessDatabase": "test",
    "RedshiftServerlessSecretArn": f"arn:aws:secretsmanager:{region}:000000000000:secret:aws-sdk-pandas/serverless-AbCdEf", "PublicSubnet1": "subnet-0aws5dk9a4da5",
    "RedshiftSecretArn": f"arn:aws:secretsmanager:{region}:000000000000:secret:aws-sdk-pandas/redshift-AbCdEf",
    "BucketAccessPointArn": f"arn:aws:s3:{region}:000000000000:accesspoint/aws-sdk-pandas",
    "KmsKeyArn": f"arn:aws:kms:{region}:000000000000:key/00000000-0000-0000-0000-000000000000",
}))
PY
)
export LAKEBOX_AWW_OUTPUTS
# The driver's default (ssl=True, sslmode=verify-ca) checks the system's trust store too: trust the
# cluster's local CA there, as the README tells users to.
export SSL_CERT_FILE=$WORK/data/.lakebox/redshift/tls/ca.pem
echo "lakebox on 127.0.0.1:$PORT, cluster aws-sdk-pandas on port $CLUSTER_PORT, suite $REF"

TARGETS=()
for f in $FILES; do TARGETS+=("tests/unit/$f"); done
set +e
# --dist loadfile: a file's tests share one worker, so the session fixtures that create the KMS-keyed
# workgroups (test_athena.py's) run once; a second worker would find them and ask KMS about the key.
(cd "$WORK" && "$VENV/bin/pytest" -q -p no:cacheprovider -n "${AWW_WORKERS:-4}" --dist loadfile --timeout 300 \
  -W ignore -rfE --tb=native \
  -o addopts= --continue-on-collection-errors --junitxml="$OUT/junit.xml" "${@:-${TARGETS[@]}}") \
  > "$OUT/pytest.log" 2>&1
set -e

junit_summary "$OUT" awswrangler
ratchet_finish "$RATCHET" "$UPDATE" "$RATCHET_FILE" "$OUT" "aws-sdk-pandas $REF unit tests (library $DRIVER)" \
  tools/awswrangler_tests.sh
