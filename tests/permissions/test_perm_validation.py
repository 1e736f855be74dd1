"""Row filters and field patterns typed by the IT group: what is refused, and where."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.errors import InvalidInput
from models.role import Permission
from models.rules.filters import parse_filter, validate_field_patterns

REFUSED_OPERATORS = [
    ({"$where": "this.a == 1"}, "Toán tử $where không được phép (tại bộ lọc)"),
    ({"$expr": {"$eq": ["$a", 1]}}, "Toán tử $expr không được phép (tại bộ lọc)"),
    ({"a": {"$function": {"body": "x"}}}, "Toán tử $function không được phép (tại bộ lọc → a)"),
    ({"a": {"$accumulator": {}}}, "Toán tử $accumulator không được phép (tại bộ lọc → a)"),
    (
        {"$or": [{"a": 1}, {"$where": "1"}]},
        "Toán tử $where không được phép (tại bộ lọc → $or → [1])",
    ),
    (
        {"$and": [{"$nor": [{"b": {"$text": "x"}}]}]},
        "Toán tử $text không được phép (tại bộ lọc → $and → [0] → $nor → [0] → b)",
    ),
    (
        {"a": {"$not": {"$where": "1"}}},
        "Toán tử $where không được phép (tại bộ lọc → a → $not)",
    ),
    (
        {"a": {"$elemMatch": {"$expr": 1}}},
        "Toán tử $expr không được phép (tại bộ lọc → a → $elemMatch)",
    ),
    (
        {"a": {"$elemMatch": {"b": {"$mod": [2, 0]}}}},
        "Toán tử $mod không được phép (tại bộ lọc → a → $elemMatch → b)",
    ),
    ({"$jsonSchema": {}}, "Toán tử $jsonSchema không được phép"),
    ({"a": {"$type": "string"}}, "Toán tử $type không được phép"),
    ({"a": {"$near": [0, 0]}}, "Toán tử $near không được phép"),
]


@pytest.mark.parametrize(("query", "message"), REFUSED_OPERATORS)
def test_refused_operators_name_the_operator_and_where(query, message) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filter(query)
    assert message in caught.value.message
    assert "Các toán tử được phép: $eq $ne $in" in caught.value.message


REFUSED_SHAPES = [
    ({"$and": {"a": 1}}, "$and phải là một danh sách điều kiện không rỗng (tại bộ lọc → $and)"),
    ({"$or": []}, "$or phải là một danh sách điều kiện không rỗng"),
    ({"$or": [1]}, "Điều kiện phải là một đối tượng {…} (tại bộ lọc → $or → [0])"),
    ({"a": {"$in": "7A1"}}, "Phải là một danh sách […] (tại bộ lọc → a → $in)"),
    ({"a": {"$nin": 3}}, "Phải là một danh sách […] (tại bộ lọc → a → $nin)"),
    ({"a": {"$all": {"x": 1}}}, "Phải là một danh sách […]"),
    ({"a": {"$in": "$user.username"}}, "biến $user.username không phải danh sách"),
    (
        {"a": {"$in": [{"$gt": 1}]}},
        "Phần tử của danh sách không được chứa toán tử (tại bộ lọc → a → $in → [0])",
    ),
    ({"a": {"$gt": [1, 2]}}, "Phải là một giá trị đơn (số, chuỗi…) (tại bộ lọc → a → $gt)"),
    (
        {"a": {"$lte": "$user.roles"}},
        "Biến $user.roles là một danh sách, không dùng được để so sánh",
    ),
    ({"a": {"$eq": "$user.roles"}}, "hãy dùng $in thay cho $eq"),
    ({"a": {"$ne": "$user.homeroom_classes"}}, "hãy dùng $nin thay cho $ne"),
    ({"a": {"$exists": "yes"}}, "$exists phải là true hoặc false"),
    ({"a": {"$size": -1}}, "$size phải là một số nguyên không âm"),
    ({"a": {"$size": True}}, "$size phải là một số nguyên không âm"),
    ({"a": {"$regex": 5}}, "$regex phải là một chuỗi"),
    ({"a": {"$regex": "(unclosed"}}, "Biểu thức chính quy không hợp lệ"),
    ({"a": {"$regex": "(a+)+$"}}, "phần lặp lồng nhau"),
    ({"a": {"$regex": "(.*){9}Q"}}, "phần lặp lồng nhau"),
    ({"a": {"$regex": "^(gv|gvc)*x"}}, "phần lặp lồng nhau"),
    ({"a": {"$regex": "(a)\\1"}}, "tham chiếu ngược"),
    ({"a": {"$regex": "x" * 201}}, "dài quá 200 ký tự"),
    ({"a": {"$options": "i"}}, "Toán tử $options chỉ dùng kèm $regex"),
    ({"a": {"$regex": "x", "$options": "g"}}, "$options chỉ gồm các chữ i, m, s, x"),
    ({"a": {"$not": 3}}, "$not phải chứa các toán tử"),
    ({"a": {"$elemMatch": {}}}, "$elemMatch phải là một đối tượng điều kiện không rỗng"),
    (
        {"a": {"$gt": 1, "b": 2}},
        "Không được trộn toán tử ($…) với tên trường trong cùng một đối tượng (tại bộ lọc → a)",
    ),
    ({"a": {"$or": [{"b": 1}]}}, "Toán tử $or phải đặt ở mức điều kiện"),
    ({"$in": [1]}, "Toán tử $in phải đặt bên trong một trường (tại bộ lọc)"),
    ({"$a": 1}, "Toán tử $a không được phép"),
    ({"a.$b": 1}, "Tên trường «a.$b» không hợp lệ (tại bộ lọc)"),
    ({"a..b": 1}, "Tên trường «a..b» không hợp lệ"),
    ({"": 1}, "Tên trường «» không hợp lệ"),
    ({"a": {"b": {"$gt": 1}}}, "Tên trường «$gt» không hợp lệ (tại bộ lọc → a → b)"),
    ({"a": float("nan")}, "Số không hợp lệ"),
]


@pytest.mark.parametrize(("query", "message"), REFUSED_SHAPES)
def test_values_of_the_wrong_shape_are_refused(query, message) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filter(query)
    assert message in caught.value.message


VARIABLE_ERRORS = [
    ({"current.class_name": "$user.lop_day"}, "bộ lọc → current.class_name"),
    ({"$or": [{"a": {"$in": ["$user.lop_day"]}}]}, "bộ lọc → $or → [0] → a → $in → [0]"),
    ({"a": {"$ne": "$user.lop_day"}}, "bộ lọc → a → $ne"),
]


@pytest.mark.parametrize(("query", "where"), VARIABLE_ERRORS)
def test_unknown_variables_list_the_valid_ones(query, where) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filter(query)
    message = caught.value.message
    assert message.startswith("Biến $user.lop_day không tồn tại; các biến hợp lệ: $user.username")
    assert "$user.homeroom_classes" in message
    assert "$user.current_school_year" in message
    assert f"(tại {where})" in message


@pytest.mark.parametrize("variable", ["$assigned_subject", "$current_year"])
def test_field_only_variables_are_refused_in_filters(variable) -> None:
    with pytest.raises(InvalidInput, match="chỉ dùng trong quy tắc trường"):
        parse_filter({"a": variable})


def test_variables_nested_in_literal_values_are_refused() -> None:
    with pytest.raises(InvalidInput, match="không dùng được ở vị trí này"):
        parse_filter({"a": {"b": "$user.username"}})


JSON_ERRORS = [
    ('{"a": 1 "b": 2}', "JSON không hợp lệ ở dòng 1, cột 9: thiếu dấu phẩy"),
    ('{"current.class_name" 1}', "JSON không hợp lệ ở dòng 1, cột 23: thiếu dấu hai chấm"),
    ("{\n  'a': 1}", "JSON không hợp lệ ở dòng 2, cột 3: tên trường phải đặt trong ngoặc kép"),
    ('{"a": }', "JSON không hợp lệ ở dòng 1, cột 7: thiếu giá trị"),
    ('{"a": "7A1}', "JSON không hợp lệ ở dòng 1, cột 7: chuỗi chưa có ngoặc kép đóng"),
    ('{"a": 1} x', "JSON không hợp lệ ở dòng 1, cột 10: còn dữ liệu thừa"),
    ('{"a": NaN}', "Giá trị NaN không được phép"),
    ('{"a": 1, "a": 2}', "Khóa «a» bị lặp lại trong bộ lọc"),
]


@pytest.mark.parametrize(("text", "message"), JSON_ERRORS)
def test_malformed_json_points_at_line_and_column(text, message) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filter(text)
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("[1, 2]", "một danh sách"), ('"7A1"', "một chuỗi"), ("3", "một số"), ("true", "đúng/sai")],
)
def test_non_object_json_is_refused(text, kind) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filter(text)
    assert caught.value.message.startswith("Bộ lọc phải là một đối tượng JSON dạng {…}")
    assert kind in caught.value.message


ACCEPTED = [
    {},
    {
        "current.class_name": {"$in": "$user.homeroom_classes"},
        "current.school_year": "$user.current_school_year",
    },
    {
        "$or": [
            {"status": {"$in": ["studying", "transferred"]}},
            {"$and": [{"current.grade": {"$gte": 6, "$lte": 9}}, {"moet_id": {"$exists": True}}]},
        ],
        "$nor": [{"code": {"$regex": "^TEST", "$options": "i"}}],
    },
    {
        "years.2025-2026.awards": {"$size": 0},
        "profile.guardians": {"$elemMatch": {"relation": "me", "phone": {"$ne": None}}},
    },
    {"years.2025-2026.subjects.TOAN.hk1.tx": {"$elemMatch": {"$gte": 5, "$lt": 8}}},
    {
        "current.class_name": {"$nin": ["$user.homeroom_classes", "9A9"]},
        "code": {"$not": {"$in": ["HS1"]}},
    },
    {
        "tags": {"$all": ["a", "$user.username"]},
        "meta.actor_id": "$user.id",
        "x": [1, 2],
        "y": None,
    },
    {"_id": {"$eq": "$user.id"}, "profile.full_name": {"$gt": "A", "$lt": "Z"}, "n": 1.5},
]


@pytest.mark.parametrize("query", ACCEPTED)
def test_accepted_filters_are_returned_unchanged(query) -> None:
    assert parse_filter(query) == query


def test_json_text_is_parsed_and_blank_means_no_restriction() -> None:
    text = '{\n  "current.class_name": {"$in": "$user.homeroom_classes"}\n}'
    assert parse_filter(text) == {"current.class_name": {"$in": "$user.homeroom_classes"}}
    assert parse_filter("  ") == {}
    assert parse_filter(None) == {}


PATTERN_ERRORS = [
    ("students", "years.**.subjects", "** chỉ được đặt ở cuối"),
    ("students", "profil.full_name", "không có trường «profil» (trong gốc)"),
    ("students", "profile.ten", "không có trường «ten» (trong profile)"),
    ("students", "years.*.subjects.*.hk3", "không có trường «hk3»"),
    ("students", "years.*.subjects.$user.lop_day", "biến $user.lop_day không tồn tại"),
    ("students", "years.$nam_nay.grade", "biến $nam_nay không tồn tại"),
    ("students", "code.value", "«code» là giá trị đơn, không có trường con"),
    ("students", "profile.guardians.x", "«x» phải là số thứ tự hoặc *"),
    ("students", "$user.roles", "biến chỉ đặt được ở vị trí khóa"),
    ("students", "profile full_name", "không hợp lệ"),
    ("students", "years..grade", "không hợp lệ"),
    ("students", "", "không được để trống"),
    ("users", "years.$assigned_subject", "chỉ dùng cho hồ sơ học sinh"),
    ("users", "password", "không có trường «password»"),
]


@pytest.mark.parametrize(("resource", "pattern", "message"), PATTERN_ERRORS)
def test_field_patterns_are_checked_against_the_model(resource, pattern, message) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_field_patterns(resource, [pattern], "write")
    assert message in caught.value.message
    assert caught.value.field == "write_fields"


def test_valid_field_patterns_are_deduplicated() -> None:
    patterns = [
        "**",
        "*",
        "_id",
        "profile",
        "profile.guardians.0.phone",
        "profile.guardians.*.phone",
        "years.$current_year.subjects.$assigned_subject.hk1.**",
        "years.*.absences.hk1.excused",
        "years.*.subjects.$user.group_subjects.**",
        "current.class_name",
        " profile ",
    ]
    assert validate_field_patterns("students", patterns) == patterns[:-1]
    # Every resource has its model in the registry: the log's patterns are checked too.
    assert validate_field_patterns("change_log", ["diff.**", "reason"]) == ["diff.**", "reason"]
    with pytest.raises(InvalidInput, match="anything"):
        validate_field_patterns("change_log", ["anything.goes"])


def test_permission_model_refuses_bad_rules_in_vietnamese() -> None:
    with pytest.raises(ValidationError) as caught:
        Permission(resource="students", actions=["view"], row_filter='{"$where": "1"}')
    assert "Toán tử $where không được phép" in str(caught.value)
    with pytest.raises(ValidationError, match="Đối tượng «diem» không tồn tại"):
        Permission(resource="diem", actions=["view"])
    with pytest.raises(ValidationError, match="không có trường «hk3»"):
        Permission(resource="students", actions=["edit"], write_fields=["years.*.subjects.*.hk3"])
    with pytest.raises(ValidationError):
        Permission(resource="students", actions=[])
    with pytest.raises(ValidationError):
        Permission(resource="students", actions=["approve"])


def test_permission_model_parses_json_text() -> None:
    permission = Permission(
        resource="students", actions=["view", "view"], row_filter='{"status": "studying"}'
    )
    assert permission.row_filter == {"status": "studying"}
    assert permission.actions == ["view"]


def test_field_patterns_may_come_as_text_from_the_panel() -> None:
    permission = Permission(
        resource="students",
        actions=["edit"],
        read_fields="code\nprofile.full_name, current",
        write_fields="  years.$current_year.homeroom_comment \n",
    )
    assert permission.read_fields == ["code", "profile.full_name", "current"]
    assert permission.write_fields == ["years.$current_year.homeroom_comment"]
