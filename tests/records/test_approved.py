"""What parents and official exports may read: only what the board approved."""

from __future__ import annotations

import copy
from typing import Any

from app.records.approved import approved_view
from app.records.compute import derive_year
from tests.factories import SCHOOL_YEAR, full_year

Y = SCHOOL_YEAR


def _record(**locks: Any) -> dict[str, Any]:
    model = full_year()
    derive_year(model)
    year = model.model_dump(mode="python")
    year["homeroom_comment"] = "Chăm ngoan"
    for path, value in locks.items():
        node = year
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        node[last] = {"locked": value}
    return {"code": "HS1", "profile": {"full_name": "A"}, "years": {Y: year}}


def test_nothing_is_shown_before_any_approval_but_the_profile_and_placement() -> None:
    view = approved_view(_record())
    year = view["years"][Y]
    assert view["profile"] == {"full_name": "A"}
    assert year["class_name"] == "7A1"
    assert all("hk1" not in s and "hk2" not in s for s in year["subjects"].values())
    assert year["conduct"] == {}
    assert year["absences"] == {}
    assert year["learning"] == {}
    assert "homeroom_comment" not in year
    assert "title" not in year
    assert "promotion" not in year
    assert "pending" not in year


def test_an_approved_subject_book_shows_that_subject_and_term_only() -> None:
    view = approved_view(_record(subjects__TOAN__locks__hk1=True))
    subjects = view["years"][Y]["subjects"]
    assert subjects["TOAN"]["hk1"]["gk"] is not None
    assert "hk2" not in subjects["TOAN"]
    assert "hk1" not in subjects["NGUVAN"]
    # The term's learning result needs every book of the term.
    assert "hk1" not in view["years"][Y]["learning"]


def test_the_schools_term_lock_approves_every_book_and_the_terms_results() -> None:
    view = approved_view(_record(locks__hk1=True))
    year = view["years"][Y]
    assert all("hk1" in s and "hk2" not in s for s in year["subjects"].values())
    assert year["conduct"] == {"hk1": "T"}
    assert set(year["absences"]) == {"hk1"}
    assert year["learning"]["hk1"] is not None
    assert "year" not in year["learning"]
    assert "title" not in year


def test_every_book_approved_for_the_year_shows_the_years_results() -> None:
    record = _record()
    year = record["years"][Y]
    for subject in year["subjects"].values():
        subject["locks"]["year"] = {"locked": True}
    year["homeroom_locks"]["year"] = {"locked": True}
    view = approved_view(record)["years"][Y]
    assert view["learning"]["year"] is not None
    assert view["homeroom_comment"] == "Chăm ngoan"
    assert "promotion" in view
    # The input is left as it was.
    assert record["years"][Y]["pending"] is not None


def test_the_record_itself_never_changes() -> None:
    """The view leaves out what is not approved from new containers and shares the rest:
    the record it was made from stays whole (a parent's page and an export read the same
    stored document)."""
    for locks in ({}, {"subjects__TOAN__locks__hk1": True}, {"locks__hk1": True}):
        record = _record(**locks)
        before = copy.deepcopy(record)
        view = approved_view(record)
        assert record == before
        assert view != before
        assert "pending" in record["years"][Y]
