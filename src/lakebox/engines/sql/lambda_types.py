"""Types for the variables of lambda expressions, from the arrays and maps they range over.

Why: sqlglot's type annotation leaves a lambda's variables untyped, so the rules that depend on the
types of operands (integer division, decimal arithmetic) could not tell that `x -> x / 2` over an
array of integers divides integers. Trino answers `transform(array[1, 2, 3], x -> x / 2)` with
[0, 1, 1]; DuckDB's `/` would give doubles.

A variable takes the element type of the array its function ranges over (one array for transform,
filter, any_match ..., one per variable for zip_with, the same array for both variables of an
array_sort comparator), the key and value types of a map (transform_values, map_filter ...), and
for reduce the type of the initial state and of the array's elements.
"""

from __future__ import annotations

from typing import Optional

from sqlglot import exp

T = exp.DataType.Type


def type_variables(tree: exp.Expression) -> bool:
    """Give the lambda variables of `tree` the types their functions imply, where the annotation left
    them unknown; the types of the expressions around them are cleared, so that annotating the tree
    again works them out from the variables. True if any variable was typed."""
    typed_any = False
    for lam in tree.find_all(exp.Lambda):
        types = _variable_types(lam)
        typed = False
        variables = _variables(lam, types)
        for variable in variables:
            if variable.type is None or variable.type.this == T.UNKNOWN:
                variable.type = types[variable.name.lower()].copy()
                typed = True
        if typed:
            keep = {id(v) for v in variables}
            for node in lam.this.walk():
                if id(node) not in keep and not isinstance(node, (exp.Literal, exp.DataType)):
                    node.type = None
            typed_any = True
    return typed_any


def _variables(lam: exp.Lambda, types: dict) -> list[exp.Expression]:
    """The references in the lambda's body to one of its typed variables: sqlglot reads them as bare
    identifiers (or columns without a table), and a variable of the same name of a lambda nested in
    this one is not this one's."""
    if not types:
        return []
    found = []
    for node in lam.this.find_all(exp.Column, exp.Identifier):
        if isinstance(node, exp.Column) and node.table or node.name.lower() not in types:
            continue
        if isinstance(node, exp.Identifier) and not isinstance(node.parent, (exp.Lambda, exp.Func, exp.Binary,
                                                                             exp.Unary, exp.Paren, exp.Condition)):
            continue  # part of a column, a table, an alias ...
        inner = node.find_ancestor(exp.Lambda)
        if inner is lam or not any(v.name.lower() == node.name.lower() for v in inner.expressions):
            found.append(node)
    return found


def _variable_types(lam: exp.Lambda) -> dict[str, exp.DataType]:
    function = lam.parent
    if function is None:
        return {}
    names = [v.name.lower() for v in lam.expressions]
    arguments = [a for a in function.iter_expressions() if not isinstance(a, exp.Lambda)]
    if isinstance(function, exp.Reduce):
        initial = arguments[1].type if len(arguments) > 1 else None
        element = _element(arguments[0]) if arguments else None
        types = [initial, element] if lam.arg_key == "merge" else [initial]
    else:
        containers = [a for a in arguments if a.type is not None and a.type.this in (T.ARRAY, T.MAP)]
        if not containers:
            return {}
        if containers[0].type.this == T.MAP:
            types = list(containers[0].type.expressions[:2])
        elif len(containers) == len(names):
            types = [_element(c) for c in containers]
        else:
            types = [_element(containers[0])] * len(names)
    return {name: kind for name, kind in zip(names, types)
            if kind is not None and kind.this not in (T.UNKNOWN, T.NULL)}


def _element(array: exp.Expression) -> Optional[exp.DataType]:
    kind = array.type
    if kind is None or kind.this != T.ARRAY or not kind.expressions:
        return None
    return kind.expressions[0]
