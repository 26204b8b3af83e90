"""What redshift_connector sends beyond plain SQL: array parameters, the result protocol it asks for (binary by
default), and the login errors it reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import redshift_connector
from redshift_helpers import PASSWORD, connect


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


@pytest.mark.parametrize("version", [0, 1, 2])
def test_each_result_protocol_the_driver_asks_for_is_agreed_and_values_read_back(redshift, cluster, version):
    import redshift_connector

    endpoint = cluster["Endpoint"]
    with redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="analytics",
                                    user="admin", password=PASSWORD, ssl=False,
                                    client_protocol_version=version) as conn:
        assert conn._client_protocol_version == version  # server_protocol_version came back as asked
        cursor = conn.cursor()
        # `big` travels in 16 bytes; 28 digits, since the driver reads it in Decimal's default context.
        cursor.execute("SELECT 12.345::numeric(10,3) AS price, -0.5::decimal(5,2) AS delta, "
                       "CAST('1234567890123456789012345678' AS numeric(38,0)) AS big, "
                       "'2024-02-29'::date AS day, '23:59:58.5'::time AS clock, NULL::numeric(4,1) AS nothing")
        assert [d[0] for d in cursor.description] == ["price", "delta", "big", "day", "clock", "nothing"]
        assert cursor.fetchall() == ([Decimal("12.345"), Decimal("-0.50"), Decimal("1234567890123456789012345678"),
                                      dt.date(2024, 2, 29), dt.time(23, 59, 58, 500000), None],)


@pytest.mark.parametrize("version", [0, 2])
def test_varbyte_reads_back_as_the_driver_expects_under_either_protocol(redshift, cluster, version):
    import redshift_connector

    endpoint = cluster["Endpoint"]
    with redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="analytics",
                                    user="admin", password=PASSWORD, ssl=False,
                                    client_protocol_version=version) as conn:
        cursor = conn.cursor()
        cursor.execute("CREATE TABLE blobs (v VARBYTE)")
        cursor.execute("INSERT INTO blobs VALUES (%s)", (b"00",))  # the driver sends the hex text '3030'
        cursor.execute("SELECT v FROM blobs")
        assert cursor.fetchall() == (["3030"],)  # the hex of the bytes the driver sent
