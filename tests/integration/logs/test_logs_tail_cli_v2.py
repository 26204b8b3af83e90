"""`aws logs tail` (AWS CLI v2 only) reading what lakebox stores.

PyPI's awscli is v1 and has no `logs tail`; Debian's `awscli` package is v2. The test runs where a
v2 `aws` is installed (.ci/run installs Debian's when apt can), and says why it skips elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def _aws_v2() -> str | None:
    for candidate in ("/usr/bin/aws", shutil.which("aws")):
        if not candidate or not os.path.exists(candidate):
            continue
        try:
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if (version.stdout + version.stderr).startswith("aws-cli/2."):
            return candidate
    return None


AWS_V2 = _aws_v2()


@pytest.mark.skipif(AWS_V2 is None, reason="no AWS CLI v2 here (Debian's awscli package provides one)")
def test_aws_logs_tail_prints_the_events(logs, lakebox_server, now_ms):
    logs.create_log_group(logGroupName="/aws-glue/crawlers")
    logs.create_log_stream(logGroupName="/aws-glue/crawlers", logStreamName="orders-crawler")
    logs.put_log_events(logGroupName="/aws-glue/crawlers", logStreamName="orders-crawler", logEvents=[
        {"timestamp": now_ms - 2000, "message": "BENCHMARK : Running Start Crawl for Crawler orders-crawler"},
        {"timestamp": now_ms - 1000, "message": "BENCHMARK : Finished Crawl for Crawler orders-crawler"},
    ])
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_PAGER": ""}
    done = subprocess.run([AWS_V2, "logs", "tail", "/aws-glue/crawlers", "--since", "1d",
                           "--endpoint-url", lakebox_server.endpoint_url],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].split()[1] == "orders-crawler"
    assert lines[0].endswith("Running Start Crawl for Crawler orders-crawler")
    assert lines[1].endswith("Finished Crawl for Crawler orders-crawler")
