"""CREATE/ALTER/DROP USER read into changes of the cluster's users (engines/redshift/users.py)."""

from __future__ import annotations

import pytest

from lakebox.engines.redshift import RedshiftError
from lakebox.engines.redshift.users import apply, is_user_statement, password_matches


def test_names_fold_to_lower_case_unless_quoted_and_flags_are_kept():
    users, tag = apply("CREATE USER Etl WITH PASSWORD 'Abcdefg1' CREATEDB CREATEUSER", {}, "admin")
    assert tag == "CREATE USER" and set(users) == {"etl"}
    assert users["etl"]["createdb"] is True and users["etl"]["superuser"] is True
    users, _ = apply('CREATE USER "Mixed Case" PASSWORD \'Abcdefg1\'', users, "admin")
    assert "Mixed Case" in users
    assert password_matches(users["etl"], "etl", "Abcdefg1") and not password_matches(users["etl"], "etl", "nope")


def test_drop_several_and_if_exists():
    users = {"a": {"hash": "x"}, "b": {"hash": "y"}}
    assert apply("DROP USER IF EXISTS a, zzz, b;", users, "admin") == ({}, "DROP USER")
    with pytest.raises(RedshiftError) as info:
        apply("DROP USER a, zzz", users, "admin")
    assert info.value.sqlstate == "42704"


def test_the_input_dict_is_never_changed():
    users = {"a": {"hash": "x"}}
    apply("DROP USER a", users, "admin")
    assert users == {"a": {"hash": "x"}}


def test_which_statements_are_user_statements():
    assert is_user_statement(["CREATE", "USER", "X"]) and is_user_statement(["DROP", "USER"])
    assert not is_user_statement(["CREATE", "TABLE"]) and not is_user_statement(["CREATE"])
