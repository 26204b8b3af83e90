"""GetPartitions' Expression: the grammar, the comparison in each key type, and the refusals, with
AWS's messages. One line per rule."""

from __future__ import annotations

import pytest

from lakebox.services.glue.partition_expression import (
    And,
    Between,
    Column,
    Compare,
    ExpressionError,
    In,
    IsNull,
    Like,
    Literal,
    Not,
    Or,
    PartitionValueError,
    compile_filter,
    parse,
)


TIMESTAMP_FORMAT = "Timestamp format must be yyyy-mm-dd hh:mm:ss[.fffffffff]"  # java.sql.Timestamp's


def keys(**types: str) -> list[dict]:
    return [{"Name": name, "Type": type_} for name, type_ in types.items()]


def one(type_: str, value: str, expression: str) -> bool:
    """Does a partition whose single key `k` (of `type_`) holds `value` match `expression`?"""
    return compile_filter(expression, keys(k=type_))([value])


# ----------------------------------------------------------------------------------------------
# Comparison in the key's type: (key type, stored value, expression, matches)

TYPED = [
    # string: lexicographic, Java order
    ("string", "b", "k = 'b'", True),
    ("string", "b", "k = 'B'", False),
    ("string", "b", "k <> 'b'", False),
    ("string", "b", "k != 'a'", True),
    ("string", "b", "k > 'a'", True),
    ("string", "b", "k < 'a'", False),
    ("string", "b", "k >= 'b'", True),
    ("string", "b", "k <= 'a'", False),
    ("string", "10", "k < '9'", True),  # text, not numbers
    ("string", "2", "k = 2", True),  # a number literal compares by its text
    ("string", "2.50", "k = 2.50", True),
    ("string", "-1", "k = -1", True),
    ("string", "\uffff", "k > '\U0001f600'", True),  # UTF-16 code units, as Java compares
    ("string", "", "k = ''", True),
    ("char(3)", "abc", "k = 'abc'", True),
    ("varchar(10)", "abc", "k LIKE 'a%'", True),
    ("STRING", "abc", "k = 'abc'", True),  # the declared type is case-insensitive
    # integral types: numeric, 64-bit
    ("int", "10", "k > 9", True),
    ("int", "10", "k > '9'", True),  # a quoted literal converts too
    ("int", "10", "k = 10", True),
    ("int", "010", "k = 10", True),
    ("int", "-5", "k < -4", True),
    ("int", "5", "k = +5", True),
    ("bigint", "9223372036854775807", "k = 9223372036854775807", True),
    ("bigint", "10000000000", "k > 9999999999", True),
    ("long", "42", "k >= 42", True),
    ("tinyint", "3", "k <= 2", False),
    ("smallint", "300", "k <> 300", False),
    # decimal: exact
    ("decimal", "2.6", "k = 2.6", True),
    ("decimal", "2.6", "k = '2.60'", True),
    ("decimal", "2.6", "k > 2.59999999999999999999", True),
    ("decimal", "3e14", "k = 300000000000000", True),
    ("decimal(10,2)", "10.5", "k < 9.99", False),
    ("decimal", "-1.5", "k < -1", True),
    ("decimal", ".5", "k = 0.5", True),
    # date
    ("date", "2024-01-15", "k = '2024-01-15'", True),
    ("date", "2024-01-15", "k = '2024-1-15'", True),
    ("date", "2024-1-5", "k = '2024-01-05'", True),
    ("date", "2024-01-15", "k > '2023-12-31'", True),
    ("date", "2024-01-15", "k < '2024-01-02'", False),  # as dates: not ('2024-01-15' < '2024-01-2')
    ("date", "2024-02-29", "k BETWEEN '2024-02-01' AND '2024-03-01'", True),
    # timestamp, to the nanosecond
    ("timestamp", "2024-01-15 10:30:00", "k = '2024-01-15 10:30:00'", True),
    ("timestamp", "2024-01-15 10:30:00", "k = '2024-01-15 10:30:00.000'", True),
    ("timestamp", "2024-01-15 10:30:00.000000001", "k > '2024-01-15 10:30:00'", True),
    ("timestamp", "2024-01-15 10:30:00.000000001", "k < '2024-01-15 10:30:00.000000002'", True),
    ("timestamp", "2024-01-15 9:05:00", "k < '2024-01-15 10:00:00'", True),
]


@pytest.mark.parametrize("type_, value, expression, expected", TYPED)
def test_comparison_follows_the_key_type(type_, value, expression, expected):
    assert one(type_, value, expression) is expected


# ----------------------------------------------------------------------------------------------
# IN, BETWEEN, LIKE, IS NULL

PREDICATES = [
    ("int", "2", "k IN (1, 2, 3)", True),
    ("int", "2", "k IN (6, '4', 2)", True),
    ("int", "5", "k IN (1, 2, 3)", False),
    ("int", "5", "k NOT IN (1, 2, 3)", True),
    ("int", "2", "k NOT IN (2)", False),
    ("string", "two", "k IN ('one', 'two')", True),
    ("date", "2024-01-15", "k IN ('2024-01-15', '2024-02-15')", True),
    ("int", "5", "k BETWEEN 1 AND 5", True),  # inclusive at both ends
    ("int", "1", "k BETWEEN 1 AND 5", True),
    ("int", "6", "k BETWEEN 1 AND 5", False),
    ("int", "3", "k BETWEEN 5 AND 1", False),  # the SQL definition: low <= k <= high
    ("int", "6", "k NOT BETWEEN 1 AND 5", True),
    ("string", "m", "k BETWEEN 'a' AND 'z'", True),
    ("decimal", "2.5", "k BETWEEN 2 AND 3e10", True),
    ("string", "two", "k LIKE 'two'", True),
    ("string", "two", "k LIKE 't_o'", True),
    ("string", "two", "k LIKE 't__'", True),
    ("string", "two", "k LIKE '_'", False),
    ("string", "two", "k LIKE '%wo'", True),
    ("string", "two", "k LIKE 'tw%'", True),
    ("string", "two", "k LIKE '%'", True),
    ("string", "", "k LIKE '%'", True),
    ("string", "two", "k LIKE '%w%'", True),
    ("string", "two", "k LIKE 'TWO'", False),  # case-sensitive
    ("string", "two", "k NOT LIKE '%e'", True),
    ("string", "a.c", "k LIKE 'a.c'", True),  # regex characters are literal
    ("string", "abc", "k LIKE 'a.c'", False),
    ("string", "a*c", "k LIKE 'a*c'", True),
    ("string", "a\nb", "k LIKE 'a%b'", True),
    ("string", "2024", "k LIKE 2024", True),
    ("string", "x", "k IS NULL", False),  # stored values are strings, never NULL
    ("string", "", "k IS NULL", False),
    ("string", "x", "k IS NOT NULL", True),
    ("int", "null", "k IS NOT NULL", True),  # IS NULL does not convert the value
]


@pytest.mark.parametrize("type_, value, expression, expected", PREDICATES)
def test_predicate(type_, value, expression, expected):
    assert one(type_, value, expression) is expected


def test_is_null_matches_a_missing_value():
    match = compile_filter("b IS NULL", keys(a="string", b="string"))
    assert match(["x"]) is True
    assert match(["x", "y"]) is False


# ----------------------------------------------------------------------------------------------
# AND, OR, NOT, parentheses: over keys a, b, c holding "1", "2", "3"

ABC = keys(a="int", b="int", c="int")
LOGIC = [
    ("a = 1 AND b = 2", True),
    ("a = 1 AND b = 9", False),
    ("a = 9 OR b = 2", True),
    ("a = 9 OR b = 9", False),
    ("NOT a = 9", True),
    ("NOT a = 1", False),
    ("NOT NOT a = 1", True),
    ("a = 1 OR b = 9 AND c = 9", True),  # AND binds tighter than OR
    ("(a = 1 OR b = 9) AND c = 9", False),
    ("a = 9 AND b = 9 OR c = 3", True),
    ("a = 9 AND (b = 9 OR c = 3)", False),
    ("NOT a = 9 AND b = 9", False),  # NOT binds tighter than AND
    ("NOT (a = 9 AND b = 9)", True),
    ("NOT a = 1 OR c = 3", True),
    ("((a = 1))", True),
    ("(a) = ((1))", True),  # parentheses may wrap a key or a literal
    ("(a = 1) AND (((b = 2)))", True),
    ("a IN (1) AND b BETWEEN 1 AND 2 AND c IS NOT NULL", True),
    ("a = 1 and b = 2 Or c = 9", True),  # keywords in any case
    ("a=1AND b=2", True),  # no space is needed after a number
]


@pytest.mark.parametrize("expression, expected", LOGIC)
def test_logic(expression, expected):
    assert compile_filter(expression, ABC)(["1", "2", "3"]) is expected


def test_and_does_not_evaluate_the_right_side_once_the_left_is_false():
    # `b` holds "x", which is no int; the left side already decides.
    match = compile_filter("a = 9 AND b = 1", keys(a="int", b="int"))
    assert match(["1", "x"]) is False


def test_precedence_in_the_tree():
    one_ = Literal("1", is_number=True)
    a, b, c = (Compare("=", Column(name), one_) for name in "abc")
    assert parse("a = 1 OR b = 1 AND NOT c = 1") == Or(a, And(b, Not(c)))
    assert parse("(a = 1 OR b = 1) AND c = 1") == And(Or(a, b), c)
    assert parse("a = 1 AND b = 1 AND c = 1") == And(And(a, b), c)


def test_each_predicate_has_its_node():
    k, s = Column("k"), Literal("x", is_number=False)
    assert parse("k NOT IN ('x', 'x')") == In(k, (s, s), negated=True)
    assert parse("k BETWEEN 'x' AND 'x'") == Between(k, s, s, negated=False)
    assert parse("k NOT LIKE 'x'") == Like(k, s, negated=True)
    assert parse("k IS NOT NULL") == IsNull(k, negated=True)
    assert parse("k != 'x'") == Compare("<>", k, s)


# ----------------------------------------------------------------------------------------------
# Quoting and names

QUOTING = [
    (keys(region="string"), "region = 'it''s'", ["it's"], True),
    (keys(region="string"), "region = ''''", ["'"], True),
    (keys(region="string"), "`region` = 'eu'", ["eu"], True),
    (keys(region="string"), '"region" = \'eu\'', ["eu"], True),
    (keys(region="string"), "REGION = 'eu'", ["eu"], True),  # names are case-insensitive
    (keys(Region="string"), "region = 'eu'", ["eu"], True),
    (keys(region="string"), "region = 'EU'", ["eu"], False),  # values are not
    (keys(region="string"), "region = 'a AND b'", ["a AND b"], True),
    (keys(region="string"), "region = '(x)'", ["(x)"], True),
    (keys(**{"order": "string"}), "`order` = 'x'", ["x"], True),
    (keys(**{"in": "string"}), "`in` IN ('x')", ["x"], True),  # a keyword as a name, backquoted
    (keys(**{"my key": "string"}), "`my key` = 'x'", ["x"], True),
    (keys(_p1="string"), "_p1 = 'x'", ["x"], True),
    (keys(a="string", b="string"), "b = 'y'", ["x", "y"], True),  # Values are in key order
    (keys(region="string"), "  region = 'eu'  ", ["eu"], True),
    (keys(region="string"), "region\t=\n'eu'", ["eu"], True),
]


@pytest.mark.parametrize("partition_keys, expression, values, expected", QUOTING)
def test_quoting(partition_keys, expression, values, expected):
    assert compile_filter(expression, partition_keys)(values) is expected


@pytest.mark.parametrize("expression", [None, "", "   ", "\n\t"])
def test_empty_expression_matches_everything(expression):
    match = compile_filter(expression, keys(a="boolean"))
    assert match(["anything"]) is True
    assert match([]) is True


# ----------------------------------------------------------------------------------------------
# Refusals: InvalidInputException, with AWS's message

MIXED = keys(
    year="int", price="decimal", dt="date", ts="timestamp", region="string", flag="boolean", ratio="double"
)
ERRORS = [
    # unknown key
    ("month = 1", "Invalid partition expression!"),
    ("month IS NULL", "Invalid partition expression!"),
    ("year = 2024 AND month = 1", "Invalid partition expression!"),
    # a key type Glue cannot filter on
    ("flag = 'true'", "Unknown type : 'boolean'"),
    ("ratio > 1.5", "Unknown type : 'double'"),
    ("ratio IS NULL", "Unknown type : 'double'"),
    # a literal that does not convert to the key's type
    ("year = 'x'", 'For input string: "x" is not an integer.'),
    ("year IN (2.5)", 'For input string: "2.5" is not an integer.'),
    ("year = 99999999999999999999", 'For input string: "99999999999999999999" is not an integer.'),
    ("year BETWEEN 1 AND 'z'", 'For input string: "z" is not an integer.'),
    ("price = 'test'", "test is not a decimal."),
    ("price = '1,5'", "1,5 is not a decimal."),
    ("dt = '2024-13-01'", "2024-13-01 is not a date."),
    ("dt = '2024-02-30'", "2024-02-30 is not a date."),
    ("dt = '15/01/2024'", "15/01/2024 is not a date."),
    ("dt = 20240115", "20240115 is not a date."),
    ("ts = '2024-01-15'", TIMESTAMP_FORMAT),
    ("ts = '2024-01-15 10:30:00.1234567890'", TIMESTAMP_FORMAT),
    # LIKE on a type that is not a string
    ("year LIKE '2%'", "Integral data type doesn't support operation 'LIKE'"),
    ("price LIKE '2%'", "Decimal data type doesn't support operation 'LIKE'"),
    ("dt LIKE '2024%'", "Date data type doesn't support operation 'LIKE'"),
    ("ts LIKE '2024%'", "Timestamp data type doesn't support operation 'LIKE'"),
]


@pytest.mark.parametrize("expression, message", ERRORS)
def test_refused_expression(expression, message):
    with pytest.raises(ExpressionError) as raised:
        compile_filter(expression, MIXED)
    assert str(raised.value) == message


def test_an_unknown_key_on_a_table_without_partition_keys():
    with pytest.raises(ExpressionError, match="Invalid partition expression!"):
        compile_filter("year = 1", [])


SYNTAX = [
    ("region =", "expected a partition key or a literal, found the end of the expression at position 8"),
    ("= 'eu'", "expected a partition key or a literal, found '=' at position 0"),
    ("region = 'eu", "unterminated ' at position 9"),
    ("`region = 'eu'", "unterminated ` at position 0"),
    ("region = 'eu' 'us'", "unexpected 'us' at position 14"),
    ("region == 'eu'", "expected a partition key or a literal, found '=' at position 8"),
    ("region = 'eu' AND", "found the end of the expression at position 17"),
    ("region = 'eu' OR OR region = 'us'", "found 'OR' at position 17"),
    ("(region = 'eu'", "expected ')', found the end of the expression at position 14"),
    ("region = 'eu')", "unexpected ')' at position 13"),
    ("region IN ()", "found ')' at position 11"),
    ("region IN 'eu'", "expected '(', found 'eu' at position 10"),
    ("region IN ('eu',)", "found ')' at position 16"),
    ("region BETWEEN 'a'", "expected AND, found the end of the expression at position 18"),
    ("region BETWEEN 'a' OR 'b'", "expected AND, found 'OR' at position 19"),
    ("region IS 'eu'", "expected NULL, found 'eu' at position 10"),
    ("region NOT = 'eu'", "expected IN, BETWEEN or LIKE after NOT, found '=' at position 11"),
    ("region = 'eu' ; DROP TABLE t", "unexpected character ';' at position 14"),
    ("year = 2024-01-15", "unexpected '-' at position 11"),  # AWS reads it as arithmetic and refuses it
    ("region = NULL", "found 'NULL' at position 9"),
    ("NOT", "found the end of the expression at position 3"),
    ("()", "found ')' at position 1"),
    # well-formed, but not `key op literal`
    ("region", "the key region is not a condition"),
    ("'eu'", "the literal 'eu' is not a condition"),
    ("'eu' = region", "expected a partition key on the left, found the literal 'eu'"),
    ("region = year", "expected a literal to compare region with, found the key year"),
    ("region IN ('eu', year)", "expected a literal to compare region with, found the key year"),
    ("region LIKE year", "LIKE needs a literal pattern, not the key year"),
    ("(region = 'a') = 'b'", "expected a partition key on the left, found a condition"),
    ("region AND year = 1", "the key region is not a condition"),
]


@pytest.mark.parametrize("expression, detail", SYNTAX)
def test_syntax_error_names_what_went_wrong(expression, detail):
    with pytest.raises(ExpressionError) as raised:
        compile_filter(expression, MIXED)
    message = str(raised.value)
    assert message.startswith(f"Unsupported expression '{expression}'")
    assert message.endswith(detail)


def test_deep_nesting_is_refused_not_crashed():
    expression = "(" * 1000 + "region = 'eu'" + ")" * 1000
    with pytest.raises(ExpressionError, match="nested too deeply$"):
        compile_filter(expression, MIXED)


def test_a_long_chain_of_conditions_evaluates():
    expression = " AND ".join(["year = 1"] * 340)  # about the model's 2,048 characters
    assert compile_filter(expression, MIXED)(["1"]) is True


def test_expression_error_is_a_value_error():
    assert issubclass(ExpressionError, ValueError)


# ----------------------------------------------------------------------------------------------
# A stored value that does not convert: InvalidStateException on AWS, while filtering

STORED = [
    ("int", "null", "k >= 0", 'For input string: "null" is not an integer.'),
    ("bigint", "1.0", "k IN (1)", 'For input string: "1.0" is not an integer.'),
    ("decimal", "n/a", "k BETWEEN 1 AND 2", "n/a is not a decimal."),
    ("date", "2024/01/15", "k = '2024-01-15'", "2024/01/15 is not a date."),
    ("timestamp", "2024-01-15T10:30:00", "k > '2024-01-01 00:00:00'", TIMESTAMP_FORMAT),
]


@pytest.mark.parametrize("type_, value, expression, message", STORED)
def test_stored_value_that_does_not_convert_raises_partition_value_error(type_, value, expression, message):
    match = compile_filter(expression, keys(k=type_))  # the expression itself is fine
    with pytest.raises(PartitionValueError) as raised:
        match([value])
    assert str(raised.value) == message
    assert not isinstance(raised.value, ExpressionError)
