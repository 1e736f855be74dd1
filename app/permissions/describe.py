"""Filter clauses in Vietnamese, and the first clause a record fails (for "explain")."""

from __future__ import annotations

import json
from typing import Any

from .matcher import candidates, field_matches, matches, resolve

SYMBOLS = {
    "$eq": "=",
    "$ne": "≠",
    "$in": "∈",
    "$nin": "∉",
    "$gt": ">",
    "$gte": "≥",
    "$lt": "<",
    "$lte": "≤",
}


def show(value: Any) -> str:
    """A value as staff would write it: 7A1, [7A1, 7A2], null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "đúng" if value else "sai"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def describe_operator(field: str, op: str, arg: Any, options: str = "") -> str:
    if op in SYMBOLS:
        return f"{field} {SYMBOLS[op]} {show(arg)}"
    if op == "$exists":
        return f"có trường {field}" if arg else f"không có trường {field}"
    if op == "$size":
        return f"{field} có đúng {arg} phần tử"
    if op == "$all":
        return f"{field} chứa tất cả {show(arg)}"
    if op == "$regex":
        return f"{field} khớp biểu thức /{arg}/{options}"
    if op == "$not":
        inner = " và ".join(
            describe_operator(field, o, a, arg.get("$options", ""))
            for o, a in arg.items()
            if o != "$options"
        )
        return f"không phải ({inner})"
    if op == "$elemMatch":
        return f"{field} có phần tử thỏa {show(arg)}"
    return f"{field} {op} {show(arg)}"


def describe_query(query: dict[str, Any]) -> str:
    parts = []
    for key, value in query.items():
        if key in ("$and", "$or", "$nor"):
            word = {"$and": " và ", "$or": " hoặc ", "$nor": " hoặc "}[key]
            inner = word.join(f"({describe_query(q)})" for q in value)
            parts.append(f"không ({inner})" if key == "$nor" else inner)
        elif isinstance(value, dict) and value and all(k.startswith("$") for k in value):
            options = value.get("$options", "")
            parts.extend(
                describe_operator(key, op, arg, options)
                for op, arg in value.items()
                if op != "$options"
            )
        else:
            parts.append(describe_operator(key, "$eq", value))
    return " và ".join(parts) or "mọi bản ghi"


def actual(doc: dict[str, Any], field: str, noun: str = "hồ sơ") -> str:
    values = resolve(doc, field)
    if not values:
        return f"{noun} không có {field}"
    return f"{noun} có {field} = {show(values[0] if len(values) == 1 else values)}"


def first_failure(doc: dict[str, Any], query: dict[str, Any], noun: str = "hồ sơ") -> str | None:
    """Why ``doc`` does not match ``query``: the first failing clause and the actual value;
    None when it matches."""
    for key, value in query.items():
        if key == "$and":
            for branch in value:
                reason = first_failure(doc, branch, noun)
                if reason:
                    return reason
        elif key == "$or":
            if not any(matches(branch, doc) for branch in value):
                reasons = [f"({i}) {first_failure(doc, b, noun)}" for i, b in enumerate(value, 1)]
                return "Không nhánh nào của $or thỏa: " + "; ".join(reasons)
        elif key == "$nor":
            for branch in value:
                if matches(branch, doc):
                    return f"Điều kiện {describe_query(branch)} thỏa nên $nor không thỏa"
        else:
            reason = _field_failure(doc, key, value, noun)
            if reason:
                return reason
    return None


def _field_failure(doc: dict[str, Any], field: str, condition: Any, noun: str) -> str | None:
    found = candidates(doc, field.split("."))
    if isinstance(condition, dict) and condition and all(k.startswith("$") for k in condition):
        options = condition.get("$options", "")
        for op, arg in condition.items():
            if op == "$options":
                continue
            single = {op: arg, "$options": options} if op == "$regex" else {op: arg}
            if not field_matches(found, single):
                clause = describe_operator(field, op, arg, options)
                return f"Điều kiện {clause} không thỏa: {actual(doc, field, noun)}"
        return None
    if field_matches(found, condition):
        return None
    clause = describe_operator(field, "$eq", condition)
    return f"Điều kiện {clause} không thỏa: {actual(doc, field, noun)}"
