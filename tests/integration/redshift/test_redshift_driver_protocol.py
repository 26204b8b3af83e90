"""What redshift_connector sends beyond plain SQL: array parameters, and the login errors it reads."""

from __future__ import annotations

import datetime as dt

import pytest
import redshift_connector
from redshift_helpers import connect


def test_a_list_parameter_binds_as_an_array_for_any(redshift, cluster):
    with connect(redshift) as conn:
        cursor = conn.cursor()
        cursor.execute("CREATE TABLE ids (id INT, name VARCHAR(10))")
        cursor.execute("INSERT INTO ids VALUES (1, 'one'), (2, 'two'), (3, 'three')")
        cursor.execute("SELECT name FROM ids WHERE id = ANY(%s) ORDER BY id", ([1, 3],))
        assert cursor.fetchall() == (["one"], ["three"])
        cursor.execute("SELECT typname FROM pg_type WHERE oid = any(%s) ORDER BY oid", ([16, 23],))
        assert cursor.fetchall() == (["bool"], ["int4"])


def test_a_login_to_a_database_that_does_not_exist_is_3d000(redshift, cluster):
    with pytest.raises(redshift_connector.ProgrammingError) as info:
        connect(redshift, database="nosuchdb")
    error = info.value.args[0]
    assert (error["S"], error["C"], error["M"]) == ("FATAL", "3D000", 'database "nosuchdb" does not exist')


def test_timetz_comes_back_in_binary_as_utc_whatever_the_session_zone(redshift, cluster):
    moment = dt.time(10, 14, 56, tzinfo=dt.timezone.utc)
    with connect(redshift) as conn:
        cursor = conn.cursor()
        cursor.execute("CREATE TABLE shifts (starts TIMETZ)")
        cursor.execute("INSERT INTO shifts VALUES (%s)", (moment,))
        cursor.execute("SELECT starts, '12:00:00+02'::timetz FROM shifts")
        assert cursor.fetchall() == ([moment, dt.time(10, 0, tzinfo=dt.timezone.utc)],)
        cursor.execute("SET timezone = 'America/New_York'")
        cursor.execute("SELECT starts FROM shifts")
        assert cursor.fetchall() == ([moment],)
