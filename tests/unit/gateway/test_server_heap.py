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


def test_keep_freed_memory_reuses_a_large_buffers_pages_instead_of_faulting_in_new_ones():
    """After the tuning, a freed 16 MiB buffer's pages serve the next one: allocating it again
    touches (faults in) almost no new pages. Without it, glibc maps and zeroes fresh pages each
    time."""
    import platform
    import resource
    import sys

    import pytest

    from lakebox.gateway.server import keep_freed_memory

    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        assert keep_freed_memory() is False
        pytest.skip("the tuning applies to glibc only")
    assert keep_freed_memory() is True
    size = 16 << 20
    bytearray(size)  # the first one may grow the heap
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        bytearray(size)  # allocated, zero-filled (touched), freed
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults < (size // 4096) // 2, faults
