"""The IT group previews a parent's account on the parents' own pages: what that parent sees,
read-only, under a banner; nothing is sent, no file is taken, and the preview ends as the
panel's does."""

from __future__ import annotations

from app.parents.reports import PREVIEW_SENDS_NOTHING
from app.parents.routes import PREVIEW_NO_FILE
from app.store.collections import collection
from app.store.directory import find_user
from models.auth import AuthEvent, AuthEventKind
from models.feedback import ParentReport
from tests.admin.school import School, form_token, post
from tests.parents.helpers import YEAR, approve, make_parent, set_fields
from tests.parents.test_pages import SCORES

CONDUCT = f"years.{YEAR}.conduct.hk1"


async def test_previewing_a_parent_opens_their_page_read_only(school: School) -> None:
    await set_fields("HS7A101", SCORES)
    await approve("HS7A101", subjects=("TOAN",), homeroom=True)
    slip = await make_parent(school)
    parent = await find_user(slip.username)
    assert parent is not None
    it = await school.login("it.quantri")
    assert (await it.get("/phu-huynh")).status_code == 404  # staff have no parents' page

    started = await post(it, "/admin/preview", {"username": slip.username})
    assert started.status_code == 303
    assert started.headers["location"] == "/phu-huynh"
    [event] = await AuthEvent.find({"kind": AuthEventKind.PREVIEW_STARTED}).to_list()
    assert slip.username in event.detail

    pupil = school.pupil_id("HS7A101")
    page = await it.get("/phu-huynh", follow_redirects=True)
    assert page.status_code == 200
    assert str(page.url).endswith(f"/phu-huynh/con/{pupil}")
    assert 'id="preview-banner"' in page.text
    assert f"Đang xem thử như {parent.full_name} ({slip.username})" in page.text
    assert "Nguyễn Văn An" in page.text  # the parent's child, as the parent sees it
    other = school.pupil_id("HS7A102")
    assert (await it.get(f"/phu-huynh/con/{other}")).status_code == 404

    # The report form is shown as the parent sees it, but nothing is sent.
    form = await it.get(f"/phu-huynh/con/{pupil}/bao-sai-sot", params={"muc": CONDUCT})
    assert form.status_code == 200
    assert 'id="preview-no-send"' in form.text
    token = await form_token(it, f"/phu-huynh/con/{pupil}/bao-sai-sot?muc={CONDUCT}")
    sent = await it.post(
        f"/phu-huynh/con/{pupil}/bao-sai-sot",
        data={"muc": CONDUCT, "message": "Thử gửi khi xem thử", "csrftoken": token},
    )
    assert sent.status_code == 403
    assert f'id="report-error">{PREVIEW_SENDS_NOTHING}</p>' in sent.text
    assert "Thử gửi khi xem thử" in sent.text  # the words typed are kept on the page
    assert await ParentReport.find_all().count() == 0

    # As in the panel, a preview takes no file: the summary is named, not downloaded.
    assert 'id="summary-preview"' in page.text
    assert 'id="summary-pdf"' not in page.text
    summary = await it.get(
        f"/phu-huynh/con/{pupil}/phieu-bao.pdf", params={"nam": YEAR, "ky": "hk1"}
    )
    assert summary.status_code == 403
    assert PREVIEW_NO_FILE in summary.text
    assert await collection("export_journal").count_documents({}) == 0

    # The panel's pages lead to the parents' pages, all but the preview page, which offers
    # the way back to them; ending the preview ends the view.
    for path in ("/admin/", "/admin/students/list"):
        moved = await it.get(path)
        assert moved.status_code == 303, path
        assert moved.headers["location"] == "/phu-huynh"
    panel = await it.get("/admin/preview")
    assert 'id="preview-parent-page"' in panel.text
    stopped = await post(it, "/admin/preview", {"stop": "1"})
    assert stopped.status_code == 303
    assert (await it.get("/phu-huynh")).status_code == 404


async def test_only_who_may_preview_sees_a_parent_page_that_is_not_theirs(
    school: School,
) -> None:
    """A preview needs the right to edit roles at every request: an account without it keeps
    its own access (a homeroom teacher has no parents' page), whatever its session holds."""
    slip = await make_parent(school)
    teacher = await school.login("gv.cn7a1")
    refused = await post(teacher, "/admin/preview", {"username": slip.username})
    assert refused.status_code in (403, 404)
    assert (await teacher.get("/phu-huynh")).status_code == 404
