"""The operations page: IT only; the chain check; the notice to every user shown as a banner
until withdrawn; account-sharing signals from the sign-in journal."""

from __future__ import annotations

import re
from html import unescape

import httpx

from app.changelog.chain import GENESIS, entry_hash
from app.changelog.verify import verify_chain
from app.clock import utcnow
from app.operations import chain_check
from app.operations.notices import forget_cached
from models.auth import AuthEvent, AuthEventKind
from models.changelog import ChangeLogEntry
from models.operations import BackupKind, BackupRun, SystemNotice
from models.role import Role
from seed.role_updates import grant_changes
from seed.roles import BOARD_BOOKS_TO_CHECK
from tests.admin.school import BASE_URL, School, login, post
from tests.seed.test_role_updates import as_seeded_before

PROBLEM = "Máy chủ chậm do mất điện lưới"


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


async def test_only_it_opens_the_operations_page(school: School) -> None:
    teacher = await school.login("gv.cn7a1")
    assert (await teacher.get("/admin/operations")).status_code == 403
    assert (await post(teacher, "/admin/operations/notice", {"problem": "x"})).status_code == 403
    board = await school.login("bgh.ht")
    assert (await board.get("/admin/operations")).status_code == 403
    it = await school.login("it.quantri")
    page = await it.get("/admin/operations")
    assert page.status_code == 200
    shown = text(page.text)
    for heading in ("Ghi nhật ký thay đổi", "Cơ sở dữ liệu", "Sao lưu", "Kiểm tra chuỗi nhật ký"):
        assert heading in shown
    assert "Chưa có bản sao lưu nào được ghi nhận" in shown
    assert "Bình thường" in shown  # the database answers as a writable primary


async def test_the_last_backup_and_its_check_are_shown(school: School) -> None:
    await BackupRun(
        file_name="hocba-daily-20261130T183000Z.hbk",
        kind=BackupKind.DAILY,
        at=utcnow(),
        size_bytes=11_000_000,
        documents=10_500,
        collections=13,
        dir_bytes=77_000_000,
        disk_free_bytes=5_000_000_000,
        verified_at=utcnow(),
        verify_ok=True,
        verify_detail="Khôi phục thử: 13/13 bảng giống hệt bản sao lưu.",
    ).insert()
    it = await school.login("it.quantri")
    shown = text((await it.get("/admin/operations")).text)
    assert "hocba-daily-20261130T183000Z.hbk (Hằng ngày)" in shown
    assert "10500 bản ghi, 13 bảng, 11,0 MB" in shown
    assert "Đạt hocba-daily-20261130T183000Z.hbk" in shown
    assert "77,0 MB đã dùng; đĩa còn trống 5 000,0 MB" in shown


async def test_the_chain_check_runs_and_reports(school: School) -> None:
    it = await school.login("it.quantri")
    started = await post(it, "/admin/operations/chain")
    assert started.status_code == 303
    await chain_check.wait()
    shown = text((await it.get("/admin/operations")).text)
    assert "Nguyên vẹn Chuỗi nhật ký nguyên vẹn: 0 mục đã kiểm tra." in shown
    assert "bởi Giàng A Tin" in shown


async def test_a_notice_is_shown_everywhere_until_withdrawn(school: School) -> None:
    it = await school.login("it.quantri")
    posted = await post(
        it,
        "/admin/operations/notice",
        {"problem": PROBLEM, "advice": "Lưu bài thường xuyên", "expected_fix": "trước 16 giờ"},
    )
    assert posted.status_code == 303
    teacher = await school.login("gv.cn7a1")
    anonymous = school.client()
    for client, path in ((teacher, "/admin/"), (teacher, "/account"), (anonymous, "/login")):
        page = await client.get(path, follow_redirects=True)  # a teacher lands on their books
        assert page.status_code == 200, path
        assert 'id="system-notice"' in page.text, path
        shown = text(page.text)
        assert f"Thông báo từ tổ CNTT: {PROBLEM}" in shown
        assert "Cần làm: Lưu bài thường xuyên" in shown
        assert "Dự kiến khắc phục: trước 16 giờ" in shown
    kinds = [e.kind for e in await AuthEvent.find_all().to_list()]
    assert AuthEventKind.NOTICE_POSTED in kinds

    withdrawn = await post(it, "/admin/operations/notice", {"withdraw": "1"})
    assert withdrawn.status_code == 303
    forget_cached()
    for client, path in ((teacher, "/admin/"), (anonymous, "/login")):
        page = await client.get(path, follow_redirects=True)
        assert 'id="system-notice"' not in page.text
    notice = await SystemNotice.find_one()
    assert notice is not None
    assert notice.withdrawn_by == "Giàng A Tin"
    assert AuthEventKind.NOTICE_WITHDRAWN in [e.kind for e in await AuthEvent.find_all().to_list()]


async def test_a_notice_needs_a_problem(school: School) -> None:
    it = await school.login("it.quantri")
    refused = await post(it, "/admin/operations/notice", {"problem": "   "})
    assert refused.status_code == 303
    page = await it.get(refused.headers["location"])
    assert "Cần nhập mô tả sự cố." in text(page.text)
    assert await SystemNotice.find_all().count() == 0


async def test_one_account_signed_in_from_two_addresses_is_flagged(school: School) -> None:
    def client_from(ip: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=school.app, client=(ip, 50000))
        client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        school.clients.append(client)
        return client

    assert (await login(client_from("10.0.0.5"), "gv.cn7a1")).status_code == 303
    assert (await login(client_from("10.0.0.5"), "gv.cn7a1")).status_code == 303
    assert await AuthEvent.find(AuthEvent.kind == AuthEventKind.CONCURRENT_SESSION).count() == 0
    assert (await login(client_from("10.0.0.9"), "gv.cn7a1")).status_code == 303
    flagged = await AuthEvent.find(AuthEvent.kind == AuthEventKind.CONCURRENT_SESSION).to_list()
    assert len(flagged) == 1
    assert flagged[0].username == "gv.cn7a1"
    assert flagged[0].client_ip == "10.0.0.9"
    assert "đang mở phiên từ 10.0.0.5" in flagged[0].detail
    it = await school.login("it.quantri")
    shown = text((await it.get("/admin/operations")).text)
    assert "gv.cn7a1 : Đăng nhập từ 10.0.0.9 khi tài khoản đang mở phiên từ 10.0.0.5" in shown
    journal = text((await it.get("/admin/auth-events/list")).text)
    assert "Nghi dùng chung tài khoản" in journal


async def test_the_chain_check_reports_progress_and_a_broken_link(school: School) -> None:
    db = ChangeLogEntry.get_pymongo_collection().database
    prev, entries = GENESIS, []
    for seq in range(1, 1201):
        entry = {
            "seq": seq,
            "token": f"t{seq}",
            "collection": "students",
            "op": "update",
            "at": utcnow(),
            "prev_hash": prev,
        }
        entry["hash"] = prev = entry_hash(entry)
        entries.append(entry)
    entries[900]["reason"] = "sửa lén"
    await db["change_log"].insert_many(entries)
    seen: list[int] = []
    report = await verify_chain(db, seen.append)
    assert seen == [500]
    assert not report.ok
    assert report.first_broken_seq == 901

    it = await school.login("it.quantri")
    await post(it, "/admin/operations/chain")
    running = chain_check.current()
    assert running.total == 1200
    await chain_check.wait()
    assert running.checked == 900
    shown = text((await it.get("/admin/operations")).text)
    assert "Có vấn đề Chuỗi nhật ký bị phá vỡ tại mục số 901" in shown


async def test_nothing_changes_while_previewing_as_another_user(school: School) -> None:
    it = await school.login("it.quantri")
    assert (await post(it, "/admin/preview", {"username": "gv.cn7a1"})).status_code == 303
    refused = await post(it, "/admin/operations/notice", {"problem": PROBLEM})
    page = await it.get(refused.headers["location"])
    assert "Không thực hiện được trong chế độ xem thử." in text(page.text)
    assert await SystemNotice.find_all().count() == 0


async def test_default_roles_are_brought_up_to_date_from_the_page(school: School) -> None:
    it = await school.login("it.quantri")
    assert "Các vai trò mặc định đã đầy đủ và đúng phiên bản." in text(
        (await it.get("/admin/operations")).text
    )
    await as_seeded_before("bgh")  # a school seeded by an earlier version
    shown = text((await it.get("/admin/operations")).text)
    assert f"Cập nhật vai trò Ban giám hiệu (bgh): {grant_changes()[0].why}" in shown
    teacher = await school.login("gv.cn7a1")
    assert (await post(teacher, "/admin/operations/roles", {})).status_code == 403

    done = await post(it, "/admin/operations/roles", {})
    assert done.status_code == 303
    bgh = await Role.find_one(Role.code == "bgh")
    assert bgh is not None
    assert any(p.row_filter == BOARD_BOOKS_TO_CHECK for p in bgh.permissions)
    page = await it.get("/admin/operations")
    assert "Đã tạo hoặc cập nhật 1 vai trò mặc định." in text(page.text)
    assert "Các vai trò mặc định đã đầy đủ và đúng phiên bản." in text(page.text)
