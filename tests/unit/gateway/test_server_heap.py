"""`lakebox serve` freezes its start-up heap (gc.freeze); a test's in-process server leaves the
test session's heap alone."""

from __future__ import annotations

import gc

from lakebox.gateway.server import freeze_startup_heap


def test_freeze_startup_heap_moves_live_objects_out_of_the_collectors_reach():
    gc.unfreeze()
    survivor = [object() for _ in range(1000)]
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() >= len(survivor)
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


def test_in_process_server_does_not_freeze_the_test_heap(tmp_path):
    import urllib.request

    from lakebox.testing import running_lakebox

    gc.unfreeze()
    with running_lakebox(tmp_path, set_env=False) as server:
        with urllib.request.urlopen(f"{server.endpoint_url}/_lakebox/health", timeout=10) as resp:
            assert resp.status == 200
        assert gc.get_freeze_count() == 0
