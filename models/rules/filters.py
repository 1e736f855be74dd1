"""Checks a row filter typed by the IT group before it is saved or used.

Only an allow-list of query operators is accepted; anything that could run code on the
server (``$where``, ``$function``, ``$expr``, ``$accumulator``) or that we cannot evaluate
ourselves is refused with a Vietnamese message pointing at the offending part.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from app.errors import InvalidInput

from .patterns import validate_field_patterns
from .variables import (
    ASSIGNED_SUBJECT,
    CURRENT_YEAR,
    USER_PREFIX,
    VARIABLES,
    is_list_variable,
    variable_names,
)

LOGICAL = ("$and", "$or", "$nor")
COMPARISON = ("$gt", "$gte", "$lt", "$lte")
LIST_OPERATORS = ("$in", "$nin", "$all")
FIELD_OPERATORS = (
    "$eq",
    "$ne",
    "$in",
    "$nin",
    *COMPARISON,
    "$not",
    "$exists",
    "$elemMatch",
    "$size",
    "$all",
    "$regex",
    "$options",
)
ALLOWED = (*FIELD_OPERATORS[:-1], *LOGICAL)  # as listed to staff ($options goes with $regex)
REGEX_OPTIONS = set("imsx")
MAX_DEPTH = 30
ROOT = "row_filter"

JSON_MESSAGES = {
    "Expecting value": "thiếu giá trị",
    "Expecting ',' delimiter": "thiếu dấu phẩy",
    "Expecting ':' delimiter": "thiếu dấu hai chấm",
    "Expecting property name enclosed in double quotes": "tên trường phải đặt trong ngoặc kép",
    "Unterminated string starting at": "chuỗi chưa có ngoặc kép đóng",
    "Extra data": "còn dữ liệu thừa sau khi đối tượng đã đóng",
    "Invalid control character at": "có ký tự điều khiển không hợp lệ",
    "Invalid \\escape": "có ký tự thoát (\\) không hợp lệ",
}
TYPE_NAMES = {
    list: "một danh sách",
    str: "một chuỗi",
    int: "một số",
    float: "một số",
    bool: "một giá trị đúng/sai",
    type(None): "null",
}


ROOT_LABEL = "bộ lọc"  # how a message names the filter itself: «(tại bộ lọc → $or → [1])»


def where(loc: list[str]) -> str:
    return " → ".join(ROOT_LABEL if part == ROOT else part for part in loc)


def _fail(message: str, loc: list[str]) -> InvalidInput:
    return InvalidInput(f"{message} (tại {where(loc)})", field=ROOT)


def _refused(op: str, loc: list[str]) -> InvalidInput:
    allowed = " ".join(ALLOWED)
    return InvalidInput(
        f"Toán tử {op} không được phép (tại {where(loc)}). Các toán tử được phép: {allowed}",
        field=ROOT,
    )


def parse_filter(value: Any) -> dict[str, Any]:
    """A row filter from a dict or from JSON text, checked; raises InvalidInput."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        value = _loads(value)
    if not isinstance(value, dict):
        kind = TYPE_NAMES.get(type(value), "một giá trị khác")
        raise InvalidInput(
            f"Bộ lọc phải là một đối tượng JSON dạng {{…}}, không phải {kind}", field=ROOT
        )
    validate_filter(value)
    return value


def _loads(text: str) -> Any:
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, item in pairs:
            if key in result:
                raise InvalidInput(f"Khóa «{key}» bị lặp lại trong bộ lọc", field=ROOT)
            result[key] = item
        return result

    def constant(name: str) -> Any:
        raise InvalidInput(f"Giá trị {name} không được phép trong bộ lọc", field=ROOT)

    try:
        return json.loads(text, object_pairs_hook=unique, parse_constant=constant)
    except json.JSONDecodeError as exc:
        detail = JSON_MESSAGES.get(exc.msg, exc.msg)
        raise InvalidInput(
            f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {detail}", field=ROOT
        ) from exc


def validate_filter(query: Any, loc: list[str] | None = None) -> None:
    """Raise InvalidInput unless ``query`` uses only allowed operators and known variables."""
    _query(query, loc or [ROOT])


def _query(query: Any, loc: list[str]) -> None:
    if len(loc) > MAX_DEPTH:
        raise _fail("Bộ lọc lồng nhau quá sâu", loc)
    if not isinstance(query, dict):
        raise _fail("Điều kiện phải là một đối tượng {…}", loc)
    for key, value in query.items():
        if not isinstance(key, str):
            raise _fail(f"Tên trường «{key}» phải là chuỗi", loc)
        if key in LOGICAL:
            if not isinstance(value, list) or not value:
                raise _fail(f"{key} phải là một danh sách điều kiện không rỗng", [*loc, key])
            for index, branch in enumerate(value):
                _query(branch, [*loc, key, f"[{index}]"])
        elif key.startswith("$"):
            if key in FIELD_OPERATORS:
                raise _fail(f"Toán tử {key} phải đặt bên trong một trường", loc)
            raise _refused(key, loc)
        else:
            _field_name(key, loc)
            _condition(value, [*loc, key])


def _field_name(name: str, loc: list[str]) -> None:
    parts = name.split(".")
    if any(not p or p.startswith("$") or p != p.strip() for p in parts):
        raise _fail(f"Tên trường «{name}» không hợp lệ", loc)


def _condition(value: Any, loc: list[str]) -> None:
    if isinstance(value, dict) and any(isinstance(k, str) and k.startswith("$") for k in value):
        if not all(isinstance(k, str) and k.startswith("$") for k in value):
            raise _fail("Không được trộn toán tử ($…) với tên trường trong cùng một đối tượng", loc)
        _operators(value, loc)
    else:
        _value(value, loc, variable_ok=True)


def _operators(ops: dict[str, Any], loc: list[str]) -> None:
    if not ops:
        raise _fail("Thiếu toán tử", loc)
    if "$options" in ops and "$regex" not in ops:
        raise _fail("Toán tử $options chỉ dùng kèm $regex", loc)
    for op, arg in ops.items():
        here = [*loc, op]
        if op in LOGICAL:
            raise _fail(f"Toán tử {op} phải đặt ở mức điều kiện, không nằm trong một trường", loc)
        if op not in FIELD_OPERATORS:
            raise _refused(op, loc)
        if op in ("$eq", "$ne"):
            if _variable(arg, here) and is_list_variable(arg):
                alternative = "$in" if op == "$eq" else "$nin"
                raise _fail(
                    f"Biến {arg} là một danh sách; hãy dùng {alternative} thay cho {op}", here
                )
            _value(arg, here, variable_ok=True)
        elif op in COMPARISON:
            _scalar(arg, here)
        elif op in LIST_OPERATORS:
            _list(arg, here)
        elif op == "$exists":
            if not isinstance(arg, bool) and arg not in (0, 1):
                raise _fail("$exists phải là true hoặc false", here)
        elif op == "$size":
            if isinstance(arg, bool) or not isinstance(arg, int) or arg < 0:
                raise _fail("$size phải là một số nguyên không âm", here)
        elif op == "$regex":
            _regex(arg, here)
        elif op == "$options":
            if not isinstance(arg, str) or not set(arg) <= REGEX_OPTIONS:
                raise _fail("$options chỉ gồm các chữ i, m, s, x", here)
        elif op == "$not":
            if not isinstance(arg, dict) or not all(str(k).startswith("$") for k in arg):
                raise _fail('$not phải chứa các toán tử, ví dụ {"$in": […]}', here)
            _operators(arg, here)
        elif op == "$elemMatch":
            _elem_match(arg, here)


def _elem_match(arg: Any, loc: list[str]) -> None:
    if not isinstance(arg, dict) or not arg:
        raise _fail("$elemMatch phải là một đối tượng điều kiện không rỗng", loc)
    if all(k.startswith("$") and k not in LOGICAL for k in arg):
        _operators(arg, loc)
    else:
        _query(arg, loc)


# A group that holds a repetition or a choice, itself repeated: "(a+)+", "(.*){9}",
# "(a|aa)*". Such patterns can take exponential time on a short text (and every query of a
# role runs its rules), so rules may not contain them.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d|\|)(?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d)")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")
MAX_PATTERN = 200


def _regex(pattern: Any, loc: list[str]) -> None:
    if not isinstance(pattern, str):
        raise _fail("$regex phải là một chuỗi", loc)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _fail(f"Biểu thức chính quy không hợp lệ: {exc}", loc) from exc
    if len(pattern) > MAX_PATTERN:
        raise _fail(f"Biểu thức chính quy dài quá {MAX_PATTERN} ký tự", loc)
    if _NESTED_REPEAT.search(pattern) or _BACKREFERENCE.search(pattern):
        raise _fail(
            "Biểu thức chính quy có phần lặp lồng nhau hoặc tham chiếu ngược, có thể làm hệ "
            "thống chạy rất chậm; hãy viết đơn giản hơn (ví dụ ^7A thay vì (7A+)+)",
            loc,
        )


def _scalar(value: Any, loc: list[str]) -> None:
    if isinstance(value, (list, dict)):
        raise _fail("Phải là một giá trị đơn (số, chuỗi…)", loc)
    if _variable(value, loc) and is_list_variable(value):
        raise _fail(f"Biến {value} là một danh sách, không dùng được để so sánh lớn/nhỏ", loc)
    _value(value, loc, variable_ok=True)


def _list(value: Any, loc: list[str]) -> None:
    if isinstance(value, str) and _variable(value, loc):
        if not is_list_variable(value):
            raise _fail(f"Phải là một danh sách; biến {value} không phải danh sách", loc)
        return
    if not isinstance(value, list):
        raise _fail("Phải là một danh sách […]", loc)
    for index, item in enumerate(value):
        here = [*loc, f"[{index}]"]
        if isinstance(item, dict) and any(str(k).startswith("$") for k in item):
            raise _fail("Phần tử của danh sách không được chứa toán tử", here)
        _value(item, here, variable_ok=True)


def _variable(value: Any, loc: list[str]) -> bool:
    """Whether ``value`` is a variable reference; raises for an unknown or misplaced one."""
    if not isinstance(value, str):
        return False
    if value in (ASSIGNED_SUBJECT, CURRENT_YEAR):
        raise _fail(f"Biến {value} chỉ dùng trong quy tắc trường, không dùng trong bộ lọc", loc)
    if not value.startswith(USER_PREFIX):
        return False
    if value.removeprefix(USER_PREFIX) not in VARIABLES:
        known = ", ".join(variable_names())
        raise _fail(f"Biến {value} không tồn tại; các biến hợp lệ: {known}", loc)
    return True


def _value(value: Any, loc: list[str], *, variable_ok: bool) -> None:
    if isinstance(value, str):
        if _variable(value, loc) and not variable_ok:
            raise _fail(f"Biến {value} không dùng được ở vị trí này", loc)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _fail("Số không hợp lệ", loc)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _value(item, [*loc, f"[{index}]"], variable_ok=False)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$"):
                raise _fail(f"Tên trường «{key}» không hợp lệ", loc)
            _value(item, [*loc, key], variable_ok=False)
    elif value is not None and not isinstance(value, (bool, int)):
        raise _fail(f"Giá trị kiểu {type(value).__name__} không dùng được trong bộ lọc", loc)


__all__ = ["parse_filter", "validate_field_patterns", "validate_filter", "where"]
