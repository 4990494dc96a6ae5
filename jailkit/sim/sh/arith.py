"""$(( ... )) arithmetic: C-style integer expressions over shell variables.

The expression is rewritten into Python syntax and evaluated over a small
whitelist of AST nodes, so nothing but integer arithmetic can run."""

from __future__ import annotations

import ast
import re
from typing import Callable


class ArithError(Exception):
    pass


_ASSIGN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*([-+*/%]?=)(?!=)\s*(.+)$", re.S)


def evaluate(expr: str, variables: dict[str, str], assign: Callable[[str, str], None]) -> int:
    match = _ASSIGN.match(expr)
    if match:
        name, op, rest = match.groups()
        value = evaluate(rest, variables, assign)
        if op != "=":
            value = _binary(op[0], _var(name, variables), value)
        assign(name, str(value))
        return value
    text = expr.strip() or "0"
    text = text.replace("&&", " and ").replace("||", " or ")
    text = re.sub(r"!(?!=)", " not ", text)
    text = re.sub(r"(?<![<>=!])/(?!=)", "//", text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ArithError(f"syntax error: \"{expr.strip()}\"") from exc
    return int(_eval(tree.body, variables))


def _var(name: str, variables: dict[str, str]) -> int:
    raw = variables.get(name, "") or "0"
    try:
        return int(raw, 0) if not raw.lstrip("-").isdigit() else int(raw)
    except ValueError as exc:
        raise ArithError(f"variable {name} is not a number") from exc


def _binary(op: str, a: int, b: int) -> int:
    if op in "/%" and b == 0:
        raise ArithError("divide by zero")
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return int(a / b)
    return a - b * int(a / b)


def _eval(node: ast.AST, variables: dict[str, str]) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.Name):
        return _var(node.id, variables)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, variables)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return value
        if isinstance(node.op, ast.Not):
            return int(not value)
        if isinstance(node.op, ast.Invert):
            return ~value
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, variables), _eval(node.right, variables)
        ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "/", ast.Mod: "%"}
        if type(node.op) in ops:
            return _binary(ops[type(node.op)], a, b)
        if isinstance(node.op, ast.LShift):
            return a << b
        if isinstance(node.op, ast.RShift):
            return a >> b
        if isinstance(node.op, ast.BitAnd):
            return a & b
        if isinstance(node.op, ast.BitOr):
            return a | b
        if isinstance(node.op, ast.BitXor):
            return a ^ b
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, variables) for v in node.values]
        return int(all(values) if isinstance(node.op, ast.And) else any(values))
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        a, b = _eval(node.left, variables), _eval(node.comparators[0], variables)
        compare = {ast.Lt: a < b, ast.LtE: a <= b, ast.Gt: a > b, ast.GtE: a >= b,
                   ast.Eq: a == b, ast.NotEq: a != b}
        if type(node.ops[0]) in compare:
            return int(compare[type(node.ops[0])])
    raise ArithError("syntax error")
