"""A Serverless restore that a kill interrupted is finished or undone when the server starts."""

from __future__ import annotations

from lakebox.services.redshift_serverless.snapshots import finish_restores


def _folder(path, content: str):
    path.mkdir(parents=True)
    (path / "dev.duckdb").write_text(content)
    return path


def test_a_copy_made_before_the_swap_began_becomes_the_data(tmp_path):
    data = tmp_path / "ns"
    _folder(tmp_path / ".restore-ns", "snapshot")
    _folder(tmp_path / ".replaced-ns", "old")  # the first rename had happened
    finish_restores(data)
    assert (data / "dev.duckdb").read_text() == "snapshot"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ns"]


def test_a_restore_killed_before_the_swap_leaves_the_data_as_it_was(tmp_path):
    data = _folder(tmp_path / "ns", "old")
    _folder(tmp_path / ".restore-ns", "half a copy")
    finish_restores(data)
    assert (data / "dev.duckdb").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ns"]


def test_replaced_files_come_back_when_no_copy_is_left(tmp_path):
    data = tmp_path / "ns"
    _folder(tmp_path / ".replaced-ns", "old")
    finish_restores(data)
    assert (data / "dev.duckdb").read_text() == "old"
