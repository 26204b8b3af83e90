"""pytest plugin for tools/s3tests.sh: run only the s3-tests node ids listed in $S3T_SCOPE_FILE.

run-s3-tests.sh always passes whole test files, so node ids given on the command line would not
narrow the run; deselecting at collection time does, and keeps the suite's own -m/-k profile
filters in force. Loaded with `-p s3t_scope` (tools/ is put on PYTHONPATH). No test is changed.
"""

import os


def _scope():
    path = os.environ.get("S3T_SCOPE_FILE")
    if not path:
        return None
    with open(path) as f:
        return {line.split("#")[0].strip() for line in f} - {""}


def pytest_collection_modifyitems(session, config, items):
    scope = _scope()
    if scope is None:
        return
    keep = [item for item in items if item.nodeid in scope]
    dropped = [item for item in items if item.nodeid not in scope]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = keep
