"""The DQDL parser: valid rules parse to the right structure and print back as Glue describes them;
invalid rulesets raise DqdlError, which CreateDataQualityRuleset answers with InvalidInputException."""

from __future__ import annotations

import pytest

from lakebox.services.glue.dq_conditions import holds, java_double
from lakebox.services.glue.dqdl import DqdlError, parse_ruleset
from lakebox.services.glue.dqdl_model import (
    Call, Composite, Condition, DateExpr, Duration, Keyword, Number, Rule, Text,
)


def one(rule_text: str):
    ruleset = parse_ruleset(f"Rules = [ {rule_text} ]")
    assert len(ruleset.rules) == 1
    return ruleset.rules[0]


def num(text: str) -> Number:
    return Number(text, float(text))


# One line per rule: the text, and the rule it parses to.
VALID = [
    ("RowCount > 100", Rule("RowCount", (), Condition("NUMBER", ">", (num("100"),)))),
    ("RowCount between 10 and 20", Rule("RowCount", (), Condition("NUMBER", "between", (num("10"), num("20"))))),
    ("RowCount not between 1 and 2", Rule("RowCount", (), Condition("NUMBER", "not between", (num("1"), num("2"))))),
    ("IsComplete \"order-id\"", Rule("IsComplete", ("order-id",))),
    ("Completeness \"a\" >= 0.95", Rule("Completeness", ("a",), Condition("NUMBER", ">=", (num("0.95"),)))),
    ("IsUnique \"id\"", Rule("IsUnique", ("id",))),
    ("Uniqueness \"id\" > 0.9", Rule("Uniqueness", ("id",), Condition("NUMBER", ">", (num("0.9"),)))),
    ("IsPrimaryKey \"a\" \"b\"", Rule("IsPrimaryKey", ("a", "b"))),
    ("ColumnValues \"s\" in [\"a\",\"b\"]", Rule("ColumnValues", ("s",), Condition("STRING", "in", (Text("a"), Text("b"))))),
    ("ColumnValues \"s\" not in [\"a\", NULL]",
     Rule("ColumnValues", ("s",), Condition("STRING", "not in", (Text("a"), Keyword("NULL"))))),
    ("ColumnValues \"n\" in [1, 2]", Rule("ColumnValues", ("n",), Condition("NUMBER", "in", (num("1"), num("2"))))),
    ("ColumnValues \"n\" != 3", Rule("ColumnValues", ("n",), Condition("NUMBER", "!=", (num("3"),)))),
    ("ColumnValues \"n\" = -1.5", Rule("ColumnValues", ("n",), Condition("NUMBER", "=", (Number("-1.5", -1.5),)))),
    ("ColumnValues \"s\" matches \"[a-z]+\\d\"", Rule("ColumnValues", ("s",), Condition("STRING", "matches", (Text("[a-z]+\\d"),)))),
    ("ColumnValues \"s\" = EMPTY", Rule("ColumnValues", ("s",), Condition("STRING", "=", (Keyword("EMPTY"),)))),
    ("ColumnValues \"n\" > 0 with threshold > 0.9",
     Rule("ColumnValues", ("n",), Condition("NUMBER", ">", (num("0"),)), Condition("NUMBER", ">", (num("0.9"),)))),
    ("ColumnValues \"d\" > \"2024-01-31\"", Rule("ColumnValues", ("d",), Condition("DATE", ">", (DateExpr(date="2024-01-31"),)))),
    ("ColumnValues \"d\" <= (now() - 3 days)",
     Rule("ColumnValues", ("d",), Condition("DATE", "<=", (DateExpr(now=True, offset=("-", Duration(3, "days"))),)))),
    ("ColumnLength \"s\" <= 5", Rule("ColumnLength", ("s",), Condition("NUMBER", "<=", (num("5"),)))),
    ("Mean \"n\" between -1 and 2.5",
     Rule("Mean", ("n",), Condition("NUMBER", "between", (Number("-1", -1.0), num("2.5"))))),
    ("Sum \"n\" = 10", Rule("Sum", ("n",), Condition("NUMBER", "=", (num("10"),)))),
    ("StandardDeviation \"n\" < 3", Rule("StandardDeviation", ("n",), Condition("NUMBER", "<", (num("3"),)))),
    ("DistinctValuesCount \"n\" >= 2", Rule("DistinctValuesCount", ("n",), Condition("NUMBER", ">=", (num("2"),)))),
    ("UniqueValueRatio \"n\" > 0.1", Rule("UniqueValueRatio", ("n",), Condition("NUMBER", ">", (num("0.1"),)))),
    ("ColumnExists \"x\"", Rule("ColumnExists", ("x",))),
    ("ColumnCount = 4", Rule("ColumnCount", (), Condition("NUMBER", "=", (num("4"),)))),
    ("ColumnDataType \"s\" = \"INTEGER\"", Rule("ColumnDataType", ("s",), Condition("STRING", "=", (Text("INTEGER"),)))),
    ("CustomSql \"select count(*) from primary\" > 0",
     Rule("CustomSql", ("select count(*) from primary",), Condition("NUMBER", ">", (num("0"),)))),
    ("CustomSql \"select id from primary where n > 1\" with threshold > 0.5",
     Rule("CustomSql", ("select id from primary where n > 1",), None, Condition("NUMBER", ">", (num("0.5"),)))),
    ("DataFreshness \"ts\" <= 24 hours", Rule("DataFreshness", ("ts",), Condition("DURATION", "<=", (Duration(24, "hours"),)))),
    ("Completeness \"a\" > 0.5 where \"b > 1\"",
     Rule("Completeness", ("a",), Condition("NUMBER", ">", (num("0.5"),)), where="b > 1")),
    ("RowCount > avg(last(10))", Rule("RowCount", (), Condition("NUMBER", ">", (Call("avg", (Call("last", (num("10"),)),)),)))),
]


@pytest.mark.parametrize("text, rule", VALID, ids=[text for text, _ in VALID])
def test_valid_rule_parses_to_its_structure(text, rule):
    assert one(text) == rule


@pytest.mark.parametrize("text", [text for text, _ in VALID if "hours" not in text])
def test_rule_prints_back_as_written(text):
    assert str(one(text)).replace(", ", ",") == text.replace(", ", ",")


def test_and_binds_tighter_than_or_and_chains_flatten():
    rule = one('(IsComplete "a") and (IsUnique "b") and (RowCount > 0) or (ColumnExists "c")')
    assert isinstance(rule, Composite) and rule.operator == "or"
    assert rule.rules[0] == Composite("and", (Rule("IsComplete", ("a",)), Rule("IsUnique", ("b",)),
                                              Rule("RowCount", (), Condition("NUMBER", ">", (num("0"),)))))
    assert str(rule) == '((IsComplete "a") and (IsUnique "b") and (RowCount > 0)) or (ColumnExists "c")'


def test_nested_parentheses_keep_their_grouping():
    rule = one('(RowCount > 0) or ((IsComplete "a") and (IsUnique "a"))')
    assert rule.operator == "or" and rule.rules[1].operator == "and"


def test_document_sections_variables_and_comments():
    ruleset = parse_ruleset('''
        # the orders checks
        Metadata = { "Version": "1.0" }
        DataSources = { "Primary": "orders", "AdditionalDataSources": ["ref"] }
        known = ["NEW", "SHIPPED"]
        Rules = [
            ColumnValues "status" in $known,   # a list variable
            RowCount > 0
        ]
        Analyzers = [ Completeness "status" ]
    ''')
    assert ruleset.metadata == {"Version": "1.0"}
    assert ruleset.data_sources == {"Primary": "orders", "AdditionalDataSources": ["ref"]}
    assert ruleset.rules[0].condition == Condition("STRING", "in", (Text("NEW"), Text("SHIPPED")))
    assert ruleset.analyzers == [Rule("Completeness", ("status",))]


def test_escaped_quotes_in_strings():
    assert one('ColumnValues "s" = "say \\"hi\\""').condition.operands == (Text('say "hi"'),)


@pytest.mark.parametrize("text, message", [
    ('Rules = [ IsComplet "a" ]', "Rule Type: IsComplet is not valid"),
    ('Rules = [ IsComplete ]', "IsComplete is not valid with 0 parameter(s)"),
    ('Rules = [ RowCount "a" > 1 ]', "RowCount is not valid with 1 parameter(s)"),
    ('Rules = [ RowCount ]', "No condition provided for rule with non-boolean rule type: RowCount"),
    ('Rules = [ IsComplete "a" > 0.5 ]', "Unexpected condition for rule of type IsComplete"),
    ('Rules = [ RowCount > "a" ]', "Unexpected condition for rule of type RowCount"),
    ('Rules = [ RowCount > 1 with threshold > 0.5 ]', "Threshold condition not supported for rule type: RowCount"),
    ('Rules = [ ColumnExists "a" where "b > 1" ]', "Where clause is not supported for rule type: ColumnExists"),
    ('Rules = [ Completeness "a" > 0.5 where "" ]', "Empty where condition"),
    ('Rules = [ ColumnValues "a" > "x" ]', "Operator > does not apply to strings"),
    ('Rules = [ ColumnValues "a" matches 5 ]', "expected a quoted regular expression"),
    ('Rules = [ ColumnValues "a" in [1, "x"] ]', "Mixed operand types"),
    ('Rules = [ ColumnValues "a" in $nope ]', "Variable 'nope' is not defined"),
    ('Rules = [ AllStatistics "a" ]', "not supported in rules section"),
    ('Rules = [ ]', "No rules or analyzers provided."),
    ('Rules = [ RowCount > 1, ]', "expected a rule type"),
    ('Rules = [ RowCount > 1', "expected ']'"),
    ('Rules = [ ColumnValues "a" = "unterminated ]', "Unterminated string"),
    ('Rules = [ RowCount > 1 ] ; ', "Unexpected character"),
    ('IsComplete "a"', "expected a section"),
    ('Metadata = { "Owner": "me" } Rules = [ RowCount > 0 ]', "Unsupported key provided in Metadata section"),
])
def test_invalid_ruleset_raises(text, message):
    with pytest.raises(DqdlError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_ruleset(text)


# How a measured value meets a condition: `between` is exclusive, as in AWS's DQDL library.
@pytest.mark.parametrize("condition, value, expected", [
    ("> 0.9", 0.95, True), ("> 0.9", 0.9, False), (">= 0.9", 0.9, True), ("< 3", 3.0, False),
    ("<= 3", 3.0, True), ("= 25", 25.0, True), ("!= 25", 25.0, False), ("between 1 and 5", 1.0, False),
    ("between 1 and 5", 3.0, True), ("not between 1 and 5", 5.0, True), ("in [1, 2]", 2.0, True),
    ("not in [1, 2]", 2.0, False), ("> 2 * 3", 6.5, True),
])
def test_number_condition_holds(condition, value, expected):
    assert holds(one(f"RowCount {condition}").condition, value) is expected


@pytest.mark.parametrize("value, text", [(0.75, "0.75"), (4, "4.0"), (1e7, "1.0E7"), (0.0001, "1.0E-4"),
                                         (123456.5, "123456.5"), (-2.5e10, "-2.5E10")])
def test_values_print_as_java_doubles(value, text):
    assert java_double(value) == text
