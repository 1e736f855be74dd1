"""Catalogues (school years, classes, subjects) in the IT group's hands: forms that save,
stamped with who saved them."""

from __future__ import annotations

from models.catalogue import SchoolClass, SchoolYear, Subject
from tests.admin.school import School, form_error, load_form, post, replace


async def test_create_and_edit_are_stamped(school: School) -> None:
    it = await school.login("it.quantri")
    created = await post(
        it,
        "/admin/school-years/create",
        {
            "code": "2027-2028",
            "starts_on": "2027-09-05",
            "term1_ends_on": "2028-01-15",
            "ends_on": "2028-05-31",
        },
    )
    assert created.status_code == 303, form_error(created.text)
    year = await SchoolYear.find_one({"code": "2027-2028"})
    assert year is not None
    assert year.is_current is False
    assert year.version == 1
    assert year.meta is not None
    assert year.meta.actor_name == "Giàng A Tin"

    path = f"/admin/classes/edit?pk={school.ids[('classes', '6A1')]}"
    edited = await post(it, path, replace(await load_form(it, path), homeroom_teacher="gv.toan"))
    assert edited.status_code == 303, form_error(edited.text)
    klass = await SchoolClass.find_one({"name": "6A1"})
    assert klass is not None
    assert klass.homeroom_teacher == "gv.toan"
    assert klass.meta is not None
    assert klass.meta.actor_name == "Giàng A Tin"


async def test_new_subject_form_is_ready_to_save(school: School) -> None:
    """Every field the model defaults is prefilled: an empty order was refused as not a number."""
    it = await school.login("it.quantri")
    pairs = await load_form(it, "/admin/subjects/create")
    assert dict(pairs)["order"] == "0"
    filled = replace(pairs, code="TIENGMONG", name="Tiếng Mông", kind="score")
    response = await post(it, "/admin/subjects/create", filled)
    assert response.status_code == 303, form_error(response.text)
    subject = await Subject.find_one({"code": "TIENGMONG"})
    assert subject is not None
    assert subject.order == 0
