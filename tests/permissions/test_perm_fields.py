"""Field rules: pattern matching, record-aware ``$assigned_subject``, document filtering."""

from __future__ import annotations

import pytest
from perm_support import YEAR, context, make_user

from app.permissions.fields import FieldRules
from tests.factories import make_student

PAST = "2024-2025"


def rules(*patterns: str, **user_fields) -> FieldRules:
    user = make_user("gv.lan", **user_fields)
    return FieldRules(patterns, context(user, group_subjects=("TOAN", "TINHOC")))


@pytest.mark.parametrize(
    ("pattern", "path", "allowed"),
    [
        ("profile", "profile", True),
        ("profile", "profile.full_name", True),  # a pattern covers its subtree
        ("profile", "profiles", False),
        ("profile.full_name", "profile", False),  # only part of it
        ("years.*.grade", f"years.{YEAR}.grade", True),
        ("years.*.grade", f"years.{YEAR}.class_name", False),
        ("years.*.grade", "years.grade", False),
        ("years.*", f"years.{YEAR}.subjects.TOAN.hk1.gk", True),
        ("years.**", "years", True),
        ("years.**", f"years.{YEAR}.subjects", True),
        ("years.*.subjects.TOAN.hk1.**", f"years.{YEAR}.subjects.TOAN.hk1.tx.0", True),
        ("years.*.subjects.TOAN.hk1.**", f"years.{YEAR}.subjects.TOAN.hk2.gk", False),
        ("*", "anything.at.all", True),
        ("**", "code", True),
        ("years.$current_year.conduct", f"years.{YEAR}.conduct.hk1", True),
        ("years.$current_year.conduct", f"years.{PAST}.conduct.hk1", False),
        ("years.*.subjects.$user.group_subjects.**", f"years.{PAST}.subjects.TINHOC.hk2.ck", True),
        ("years.*.subjects.$user.group_subjects.**", f"years.{PAST}.subjects.KHTN.hk2.ck", False),
        ("profile.guardians.*.phone", "profile.guardians.1.phone", True),
        ("profile.guardians.*.phone", "profile.guardians.1.full_name", False),
    ],
)
def test_pattern_matching(pattern, path, allowed) -> None:
    assert rules(pattern).allows(path) is allowed


def test_touches_names_containers_of_granted_paths() -> None:
    gvbm = rules("years.$current_year.subjects.$assigned_subject.**", teaching=[("7A1", "TOAN")])
    pupil = {"current": {"class_name": "7A1"}}
    assert gvbm.touches("years", pupil)
    assert gvbm.touches(f"years.{YEAR}.subjects", pupil)
    assert not gvbm.allows(f"years.{YEAR}.subjects", pupil)
    assert not gvbm.touches(f"years.{PAST}", pupil)
    assert not gvbm.touches("profile", pupil)
    assert gvbm.may_reach("years", pupil)


def test_assigned_subject_is_exact_per_class_and_subject() -> None:
    """Teacher of TOAN in 7A1 and KHTN in 8A2: TOAN for a 7A1 pupil only, KHTN for 8A2 only."""
    writable = rules(
        "years.$current_year.subjects.$assigned_subject.hk1.**",
        teaching=[("7A1", "TOAN"), ("8A2", "KHTN")],
    )
    pupil_7a1 = make_student(class_name="7A1")
    pupil_8a2 = make_student(grade=8, class_name="8A2")
    toan = f"years.{YEAR}.subjects.TOAN.hk1.gk"
    khtn = f"years.{YEAR}.subjects.KHTN.hk1.gk"
    assert writable.allows(toan, pupil_7a1)
    assert not writable.allows(khtn, pupil_7a1)
    assert not writable.allows(toan, pupil_8a2)
    assert writable.allows(khtn, pupil_8a2)
    assert not writable.allows(f"years.{PAST}.subjects.TOAN.hk1.gk", pupil_7a1)
    assert not writable.allows(toan)  # no record: no class, no assigned subject
    raw = {"current": {"class_name": "7A1"}}
    assert writable.allows(toan, raw)


def test_filter_document_keeps_only_granted_leaves_and_their_containers() -> None:
    pupil = make_student(class_name="7A1").model_dump(by_alias=True)
    pupil["_id"] = "id-1"
    pupil["id"] = "id-1"
    seen = rules(
        "code",
        "profile.full_name",
        "years.$current_year.subjects.$assigned_subject.hk1",
        teaching=[("7A1", "TOAN")],
    ).filter_document(pupil)
    assert set(seen) == {"_id", "id", "code", "profile", "years"}
    assert seen["profile"] == {"full_name": "Nguyễn Văn An"}
    assert set(seen["years"]) == {YEAR}
    assert set(seen["years"][YEAR]) == {"subjects"}
    assert set(seen["years"][YEAR]["subjects"]) == {"TOAN"}
    assert set(seen["years"][YEAR]["subjects"]["TOAN"]) == {"hk1"}
    assert (
        seen["years"][YEAR]["subjects"]["TOAN"]["hk1"]
        == pupil["years"][YEAR]["subjects"]["TOAN"]["hk1"]
    )
    assert "GDTC" not in seen["years"][YEAR]["subjects"]


def test_filter_document_on_lists_and_empty_rules() -> None:
    doc = {
        "_id": 1,
        "profile": {"guardians": [{"phone": "09", "full_name": "A"}, {"full_name": "B"}]},
    }
    phones = rules("profile.guardians.*.phone").filter_document(doc)
    assert phones == {"_id": 1, "profile": {"guardians": [{"phone": "09"}]}}
    assert rules().filter_document(doc) == {"_id": 1}
    assert rules("**").filter_document(doc) == doc
    assert not rules()
    assert rules("**").everything


def test_filter_document_accepts_a_model() -> None:
    pupil = make_student(class_name="7A1")
    seen = rules("code").filter_document(pupil)
    assert seen["code"] == pupil.code
    assert "profile" not in seen


def test_variables_without_values_grant_nothing() -> None:
    lonely = FieldRules(
        ["years.$current_year.**", "years.*.subjects.$user.group_subjects"],
        context(make_user("gv.moi"), year=None),
    )
    assert not lonely.allows(f"years.{YEAR}.grade")
    assert not lonely.allows(f"years.{YEAR}.subjects.TOAN")


def test_union_adds_patterns() -> None:
    both = rules("code").union(rules("profile"))
    assert both.allows("code")
    assert both.allows("profile.sex")
    assert not both.allows("status")
