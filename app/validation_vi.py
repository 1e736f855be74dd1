"""Pydantic validation errors reworded in Vietnamese for staff and parents."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

# pydantic error type -> Vietnamese template; placeholders come from the error's ``ctx``.
MESSAGES: dict[str, str] = {
    "missing": "Chưa nhập (bắt buộc)",
    "string_type": "Phải là chuỗi ký tự",
    "string_too_short": "Cần ít nhất {min_length} ký tự",
    "string_too_long": "Không được dài quá {max_length} ký tự",
    "string_pattern_mismatch": "Không đúng định dạng",
    "int_type": "Phải là số nguyên",
    "int_parsing": "Phải là số nguyên",
    "int_from_float": "Phải là số nguyên",
    "float_parsing": "Phải là số",
    "decimal_parsing": "Phải là số",
    "decimal_type": "Phải là số",
    "decimal_max_places": "Chỉ được có tối đa {decimal_places} chữ số thập phân",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}",
    "greater_than": "Phải lớn hơn {gt}",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}",
    "less_than": "Phải nhỏ hơn {lt}",
    "bool_parsing": "Phải là Có hoặc Không",
    "bool_type": "Phải là Có hoặc Không",
    "date_parsing": "Ngày không hợp lệ (dạng đúng: 2012-09-05)",
    "date_from_datetime_parsing": "Ngày không hợp lệ (dạng đúng: 2012-09-05)",
    "date_type": "Ngày không hợp lệ",
    "datetime_parsing": "Thời điểm không hợp lệ",
    # Not pydantic's list of codes ("'studying' or 'left'"): the form offers the choices.
    "literal_error": "Hãy chọn một giá trị trong danh sách",
    "enum": "Hãy chọn một giá trị trong danh sách",
    "list_type": "Phải là danh sách",
    "dict_type": "Phải là một nhóm thông tin",
    "model_type": "Phải là một nhóm thông tin",
    "extra_forbidden": "Trường này không được phép",
    "too_long": "Có quá nhiều phần tử (tối đa {max_length})",
    "too_short": "Cần ít nhất {min_length} phần tử",
}


def error_message(error: Any) -> str:
    """One pydantic error (a dict from ``ValidationError.errors()``) as Vietnamese text."""
    kind = error.get("type", "")
    if kind == "value_error":
        # Our own validators already raise Vietnamese messages; drop pydantic's prefix.
        return str(error.get("msg", "")).removeprefix("Value error, ")
    if kind.endswith("_type") and "input" in error and error["input"] is None:
        # A form's blank input arrives as None: it is missing, not of the wrong kind.
        return MESSAGES["missing"]
    template = MESSAGES.get(kind)
    if template is None:
        return "Giá trị không hợp lệ"
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


def first_message(exc: ValidationError) -> str:
    errors = exc.errors()
    return error_message(errors[0]) if errors else "Giá trị không hợp lệ"


def messages_by_field(exc: ValidationError) -> dict[str, str]:
    """Field path ("profile.full_name") -> first Vietnamese message for that field."""
    result: dict[str, str] = {}
    for error in exc.errors():
        path = ".".join(str(p) for p in error.get("loc", ()))
        result.setdefault(path, error_message(error))
    return result
