"""Default roles of the school (DOMAIN §2); the IT group tunes them in the panel afterwards."""

from __future__ import annotations

from typing import Any

from app.context import SYSTEM_ACTOR, Actor
from app.store import system_writer
from app.store.directory import existing_keys
from models.common import WriteSource
from models.role import Action, Permission, Role

V, C, E, D, X = Action.VIEW, Action.CREATE, Action.EDIT, Action.DELETE, Action.EXPORT
P = Action.PROMOTE
SUBMIT, CHECK, APPROVE, LOCK, UNLOCK = (
    Action.SUBMIT,
    Action.CHECK,
    Action.APPROVE,
    Action.LOCK,
    Action.UNLOCK,
)

# Who the pupil is and where they are now: what every teacher needs to recognise a pupil.
IDENTITY = ["code", "profile.full_name", "profile.sex", "profile.birth_date", "status", "current"]
HOMEROOM_SCOPE = {
    "current.class_name": {"$in": "$user.homeroom_classes"},
    "current.school_year": "$user.current_school_year",
}
# The same classes, for workflow documents that name the class at their top level.
HOMEROOM_SCOPE_FLAT = {
    "class_name": {"$in": "$user.homeroom_classes"},
    "school_year": "$user.current_school_year",
}
TEACHING_SCOPE = {
    "current.class_name": {"$in": "$user.teaching_classes"},
    "current.school_year": "$user.current_school_year",
}
ASSIGNED = "years.$current_year.subjects.$assigned_subject"
# A subject group head's inspections and books: their group's.
GROUP_SCOPE = {"subject_group": "$user.subject_group"}
GROUP_BOOKS: dict[str, object] = {"kind": "subject", "subject": {"$in": "$user.group_subjects"}}
# Account fields anyone managing accounts may see; never the password hash or its history.
USER_FIELDS = [
    "username",
    "full_name",
    "email",
    "phone",
    "roles",
    "homeroom_classes",
    "teaching",
    "subject_group",
    "active",
    "must_change_password",
    "password_changed_at",
    "last_login_at",
    "version",
    "meta",
]
USER_WRITABLE = [
    "username",
    "full_name",
    "email",
    "phone",
    "roles",
    "homeroom_classes",
    "teaching",
    "subject_group",
    "active",
    "must_change_password",
]
CATALOGUES = ("school_years", "classes", "subjects")
# What a parent's page shows of their children (app/parents): identity, placement and the
# results of each year; never guardians, addresses, the national ID or who typed what. The
# lock flags are read to decide what is approved (drafts are never shown).
PARENT_FIELDS = [
    "code",
    "profile.full_name",
    "profile.sex",
    "profile.birth_date",
    "status",
    "current",
    "years.*.grade",
    "years.*.class_name",
    "years.*.subjects.*.kind",
    "years.*.subjects.*.hk1.**",
    "years.*.subjects.*.hk2.**",
    "years.*.subjects.*.year_average",
    "years.*.subjects.*.year_result",
    "years.*.subjects.*.reassessment",
    "years.*.subjects.*.comment",
    "years.*.subjects.*.locks.*.locked",
    "years.*.conduct.**",
    "years.*.learning.**",
    "years.*.absences.**",
    "years.*.promotion.label_vi",
    "years.*.title",
    "years.*.homeroom_comment",
    "years.*.awards.**",
    "years.*.discipline.**",
    "years.*.locks.*.locked",
    "years.*.homeroom_locks.*.locked",
]
PARENT_SCOPE = {"_id": {"$in": "$user.children"}}
OWN_REPORTS = {"account_id": "$user.id"}
# What a parent types into a report; the app fills in the pupil, the class and the status.
PARENT_REPORT_WRITABLE = ["path", "item_label", "value_shown", "message"]
# The approval chain (app/workflow): what each step writes of a book's document and of a
# correction request. Who checks what: a subject group its subjects' books; the board the
# homeroom books (conduct and absences have no subject group), the books their group's checker
# submitted (a group head's own book) and requests outside a subject.
MY_BOOKS = {"teacher": "$user.username"}
GROUP_BOOKS = {"kind": "subject", "subject": {"$in": "$user.group_subjects"}}
GROUP_BOOKS_TO_CHECK = {**GROUP_BOOKS, "checked_by_board": {"$ne": True}}
BOARD_BOOKS_TO_CHECK = {"$or": [{"kind": "homeroom"}, {"checked_by_board": True}]}
BOOK_STEP_FIELDS = [
    "stage",
    "steps",
    "gaps",
    "returned",
    "checked_versions",
    "approved_versions",
    "checked_by_board",
]
MY_REQUESTS = {"requested_by": "$user.username"}
GROUP_REQUESTS = {"subject": {"$in": "$user.group_subjects"}}
REQUEST_STEP_FIELDS = ["status", "steps", "decision"]


def chain_permission(
    resource: str,
    actions: list[Action],
    row_filter: dict[str, Any],
    description: str,
) -> Permission:
    fields = BOOK_STEP_FIELDS if resource == "gradebooks" else REQUEST_STEP_FIELDS
    return Permission(
        resource=resource,
        actions=actions,
        row_filter=row_filter,
        read_fields=["**"],
        write_fields=fields if actions != [V] else [],
        description=description,
    )


def teacher_chain() -> list[Permission]:
    """A teacher's side of the chain: view and submit their own books, propose corrections
    and follow their own requests."""
    return [
        chain_permission("gradebooks", [V, SUBMIT], MY_BOOKS, "Xem và nộp các sổ mình phụ trách"),
        chain_permission(
            "corrections", [V, SUBMIT], MY_REQUESTS, "Gửi và theo dõi phiếu điều chỉnh của mình"
        ),
    ]


def board_books_check() -> Permission:
    return chain_permission(
        "gradebooks",
        [CHECK],
        BOARD_BOOKS_TO_CHECK,
        "Kiểm tra sổ chủ nhiệm và sổ do tổ trưởng tự nộp",
    )


def group_books_chain() -> list[Permission]:
    return [
        chain_permission("gradebooks", [V], GROUP_BOOKS, "Xem tình trạng sổ các môn của tổ"),
        chain_permission(
            "gradebooks",
            [CHECK],
            GROUP_BOOKS_TO_CHECK,
            "Kiểm tra hoặc trả lại sổ các môn của tổ (trừ sổ mình nộp)",
        ),
    ]


def _view(resource: str, description: str, fields: list[str] | None = None) -> Permission:
    return Permission(
        resource=resource, actions=[V], read_fields=fields or ["**"], description=description
    )


def _catalogues_view() -> list[Permission]:
    return [_view(r, "Xem danh mục (năm học, lớp, môn) để chọn trong biểu mẫu") for r in CATALOGUES]


def _inspection_permissions(inspections: dict[str, str] | None = None) -> list[Permission]:
    """Art. 6.3: the board inspects the whole school, a group head their group's subjects.
    Viewing inspections opens the dashboards (what they show follows the pupil scope, the
    books' stages the chain's own view permission on "gradebooks")."""
    where = "của tổ mình" if inspections else "toàn trường"
    return [
        Permission(
            resource="inspections",
            actions=[V, C, E, X],
            row_filter=inspections or {},
            read_fields=["**"],
            write_fields=["**"],
            description=f"Bảng theo dõi và biên bản kiểm tra {where}; xuất thống kê",
        ),
    ]


def default_roles() -> list[Role]:
    """The six roles of the regulation and the parents' one, with conservative defaults (deny
    what is not needed)."""
    return [
        Role(
            code="bgh",
            name="Ban giám hiệu",
            description="Xem toàn bộ học bạ, xuất báo cáo; xem tài khoản, vai trò và nhật ký; "
            "theo dõi tiến độ, chất lượng dữ liệu và lập biên bản kiểm tra toàn trường.",
            permissions=[
                Permission(
                    resource="students",
                    actions=[V, X],
                    read_fields=["**"],
                    description="Xem và xuất học bạ của mọi học sinh",
                ),
                _view("users", "Xem tài khoản giáo viên, nhân viên", USER_FIELDS),
                _view("roles", "Xem vai trò và quy tắc phân quyền"),
                *_catalogues_view(),
                _view("change_log", "Xem nhật ký thay đổi học bạ"),
                _view("auth_events", "Xem nhật ký đăng nhập"),
                _view("parent_reports", "Xem phụ huynh báo sai sót và câu trả lời"),
                chain_permission(
                    "gradebooks", [V], {}, "Xem tình trạng nộp, kiểm tra, duyệt mọi sổ"
                ),
                board_books_check(),
                chain_permission(
                    "gradebooks",
                    [APPROVE, LOCK, UNLOCK],
                    {},
                    "Duyệt sổ, khóa và mở khóa sổ (từng sổ và toàn trường)",
                ),
                chain_permission(
                    "corrections", [V, APPROVE], {}, "Duyệt hoặc từ chối phiếu điều chỉnh"
                ),
                chain_permission(
                    "corrections",
                    [CHECK],
                    {"subject": None},
                    "Kiểm tra phiếu không thuộc môn nào (sổ chủ nhiệm, khiếu nại chung)",
                ),
                *_inspection_permissions(),
                _view("export_journal", "Xem nhật ký xuất dữ liệu"),
            ],
        ),
        Role(
            code="tocm",
            name="Tổ trưởng chuyên môn",
            description="Xem điểm các môn của tổ mình ở mọi lớp để kiểm tra; không sửa. Theo dõi "
            "tiến độ các môn của tổ và lập biên bản kiểm tra của tổ.",
            permissions=[
                Permission(
                    resource="students",
                    actions=[V],
                    read_fields=[
                        *IDENTITY,
                        "years.*.grade",
                        "years.*.class_name",
                        "years.*.subjects.$user.group_subjects.**",
                    ],
                    description="Xem điểm các môn của tổ chuyên môn, mọi lớp",
                ),
                *group_books_chain(),
                chain_permission(
                    "corrections",
                    [V, CHECK],
                    GROUP_REQUESTS,
                    "Kiểm tra phiếu điều chỉnh môn của tổ",
                ),
                *_catalogues_view(),
                *_inspection_permissions(GROUP_SCOPE),
            ],
        ),
        Role(
            code="gvcn",
            name="Giáo viên chủ nhiệm",
            description="Lớp chủ nhiệm năm học hiện tại: xem toàn bộ học bạ; sửa thông tin cá "
            "nhân, rèn luyện, số buổi nghỉ, nhận xét của GVCN, khen thưởng và kỷ luật.",
            permissions=[
                Permission(
                    resource="students",
                    actions=[V, E, X],
                    row_filter=HOMEROOM_SCOPE,
                    read_fields=["**"],
                    write_fields=[
                        "profile",
                        "years.$current_year.conduct.hk1",
                        "years.$current_year.conduct.hk2",
                        "years.$current_year.conduct.after_summer",
                        "years.$current_year.absences.**",
                        "years.$current_year.homeroom_comment",
                        "years.$current_year.awards",
                        "years.$current_year.discipline",
                    ],
                    description="Học sinh lớp chủ nhiệm trong năm học hiện tại",
                ),
                Permission(
                    resource="parent_reports",
                    actions=[V, E],
                    row_filter=HOMEROOM_SCOPE_FLAT,
                    read_fields=["**"],
                    write_fields=["status", "answer"],
                    description="Trả lời phụ huynh báo sai sót về học sinh lớp chủ nhiệm",
                ),
                *teacher_chain(),
                *_catalogues_view(),
            ],
        ),
        Role(
            code="gvbm",
            name="Giáo viên bộ môn",
            description="Nhập điểm và nhận xét đúng các cặp lớp × môn được phân công.",
            permissions=[
                Permission(
                    resource="students",
                    actions=[V, E],
                    row_filter=TEACHING_SCOPE,
                    read_fields=[
                        *IDENTITY,
                        f"{ASSIGNED}.**",
                        "years.$current_year.locks",
                        "years.$current_year.grade",
                        "years.$current_year.class_name",
                    ],
                    write_fields=[
                        f"{ASSIGNED}.hk1.**",
                        f"{ASSIGNED}.hk2.**",
                        f"{ASSIGNED}.comment",
                    ],
                    description="Học sinh các lớp được phân công dạy, chỉ môn được phân công",
                ),
                *teacher_chain(),
                *_catalogues_view(),
            ],
        ),
        Role(
            code="vanphong",
            name="Văn phòng",
            description="Hồ sơ học sinh, khen thưởng và kỷ luật, in và xuất học bạ.",
            permissions=[
                Permission(
                    resource="students",
                    actions=[V, C, E, X],
                    read_fields=["**"],
                    write_fields=[
                        "code",
                        "moet_id",
                        "profile",
                        "status",
                        "current",
                        "transfer_in",
                        "transfer_out",
                        "years.*.awards",
                        "years.*.discipline",
                    ],
                    description="Mọi học sinh: hồ sơ, khen thưởng, kỷ luật",
                ),
                Permission(
                    resource="students",
                    actions=[P],
                    read_fields=IDENTITY,
                    write_fields=["current", "status"],
                    description="Chuyển năm học: đưa học sinh vào lớp của năm học mới khi năm "
                    "học đã khóa sổ",
                ),
                Permission(
                    resource="students",
                    actions=[Action.IMPORT],
                    read_fields=["**"],
                    write_fields=["years.*"],
                    description="Nhập các năm học cũ của học sinh chuyển đến (tệp của trường cũ)",
                ),
                *_catalogues_view(),
            ],
        ),
        Role(
            code="cntt",
            name="Tổ Công nghệ thông tin",
            description="Tài khoản, vai trò, danh mục, nhật ký đăng nhập; không xem hay sửa điểm.",
            permissions=[
                Permission(
                    resource="users",
                    actions=[V, C, E],
                    read_fields=USER_FIELDS,
                    write_fields=USER_WRITABLE,
                    description="Quản lý tài khoản",
                ),
                Permission(
                    resource="roles",
                    actions=[V, C, E],
                    read_fields=["**"],
                    write_fields=["code", "name", "description", "permissions", "active"],
                    description="Quản lý vai trò và quy tắc phân quyền",
                ),
                *(
                    Permission(
                        resource=r,
                        actions=[V, C, E],
                        read_fields=["**"],
                        write_fields=["**"],
                        description="Quản lý danh mục",
                    )
                    for r in CATALOGUES
                ),
                _view("auth_events", "Xem nhật ký đăng nhập"),
                _view("export_journal", "Xem nhật ký xuất dữ liệu"),
                _view("change_log", "Xem nhật ký thay đổi (chỉ các trường được xem của hồ sơ)"),
                _view(
                    "students", "Tra cứu học sinh khi hỗ trợ (chỉ thông tin nhận diện)", IDENTITY
                ),
            ],
        ),
        Role(
            code="phuhuynh",
            name="Phụ huynh",
            description="Cha mẹ, người giám hộ: xem kết quả đã được duyệt của con mình và báo "
            "sai sót; không vào trang quản lý.",
            permissions=[
                Permission(
                    resource="students",
                    actions=[V],
                    row_filter=PARENT_SCOPE,
                    read_fields=PARENT_FIELDS,
                    description="Chỉ các con được liên kết với tài khoản",
                ),
                Permission(
                    resource="parent_reports",
                    actions=[V, C],
                    row_filter=OWN_REPORTS,
                    read_fields=["**"],
                    write_fields=PARENT_REPORT_WRITABLE,
                    description="Báo sai sót và xem câu trả lời của chính mình",
                ),
            ],
        ),
    ]


async def missing_roles() -> list[Role]:
    """The default roles that do not exist yet."""
    existing = {code for (code,) in await existing_keys("roles", ("code",))}
    return [role for role in default_roles() if role.code not in existing]


async def seed_roles(actor: Actor | None = None) -> list[str]:
    """Insert the default roles that do not exist yet; existing ones are never overwritten.

    Returns the codes created.
    """
    missing = await missing_roles()
    writer = system_writer(
        "roles", actor or SYSTEM_ACTOR, source=WriteSource.SEED, reason="Tạo vai trò mặc định"
    )
    # A concurrent seed may create some first: the unique index keeps theirs.
    await writer.insert_many(missing, skip_duplicates=True)
    return [role.code for role in missing]
