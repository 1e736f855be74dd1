"""The IT group grants the chain's steps in the role editor like any other action."""

from __future__ import annotations

from models.role import ACTION_LABELS, Action, Role
from tests.admin.school import School, post


async def test_the_role_editor_offers_and_saves_the_workflow_actions(school: School) -> None:
    it = await school.login("it.quantri")
    form = await it.get("/admin/roles/create")
    assert form.status_code == 200
    for action in (Action.SUBMIT, Action.CHECK, Action.APPROVE, Action.LOCK, Action.UNLOCK):
        assert ACTION_LABELS[action] in form.text
    created = await post(
        it,
        "/admin/roles/create",
        [
            ("code", "pho_ht"),
            ("name", "Phó hiệu trưởng phụ trách chuyên môn"),
            ("active", "on"),
            ("permissions.1.resource", "gradebooks"),
            ("permissions.1.actions", "view"),
            ("permissions.1.actions", "check"),
            ("permissions.1.row_filter", '{"kind": "homeroom"}'),
            ("permissions.1.read_fields", "**"),
            ("permissions.1.write_fields", "stage\nsteps\nreturned\nchecked_versions"),
            ("permissions.2.resource", "corrections"),
            ("permissions.2.actions", "check"),
            ("permissions.2.row_filter", '{"subject": {"$in": "$user.group_subjects"}}'),
            ("permissions.2.read_fields", "**"),
            ("permissions.2.write_fields", "status\nsteps\ndecision"),
        ],
    )
    assert created.status_code in (200, 303), created.text[-2000:]
    role = await Role.find_one({"code": "pho_ht"})
    assert role is not None
    assert role.permissions[0].actions == [Action.VIEW, Action.CHECK]
    assert role.permissions[0].row_filter == {"kind": "homeroom"}
    assert role.permissions[1].resource == "corrections"
