"""Default roles of the school (DOMAIN §2); the IT group tunes them in the panel afterwards."""

from __future__ import annotations

from app.context import SYSTEM_ACTOR, Actor
from app.store import system_writer
from app.store.directory import existing_keys
from models.common import WriteSource
from models.role import Action, Permission, Role

V, C, E, D, X = Action.VIEW, Action.CREATE, Action.EDIT, Action.DELETE, Action.EXPORT

# Who the pupil is and where they are now: what every teacher needs to recognise a pupil.
IDENTITY = ["code", "profile.full_name", "profile.sex", "profile.birth_date", "status", "current"]
HOMEROOM_SCOPE = {
    "current.class_name": {"$in": "$user.homeroom_classes"},
    "current.school_year": "$user.current_school_year",
}
TEACHING_SCOPE = {
    "current.class_name": {"$in": "$user.teaching_classes"},
    "current.school_year": "$user.current_school_year",
}
ASSIGNED = "years.$current_year.subjects.$assigned_subject"
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


def _view(resource: str, description: str, fields: list[str] | None = None) -> Permission:
    return Permission(
        resource=resource, actions=[V], read_fields=fields or ["**"], description=description
    )


def _catalogues_view() -> list[Permission]:
    return [_view(r, "Xem danh mục (năm học, lớp, môn) để chọn trong biểu mẫu") for r in CATALOGUES]


def default_roles() -> list[Role]:
    """The six roles of the regulation with conservative defaults (deny what is not needed)."""
    return [
        Role(
            code="bgh",
            name="Ban giám hiệu",
            description="Xem toàn bộ học bạ, xuất báo cáo; xem tài khoản, vai trò và nhật ký.",
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
                _view("export_journal", "Xem nhật ký xuất dữ liệu"),
            ],
        ),
        Role(
            code="tocm",
            name="Tổ trưởng chuyên môn",
            description="Xem điểm các môn của tổ mình ở mọi lớp để kiểm tra; không sửa.",
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
                *_catalogues_view(),
            ],
        ),
        Role(
            code="gvcn",
            name="Giáo viên chủ nhiệm",
            description="Lớp chủ nhiệm năm học hiện tại: xem toàn bộ học bạ; sửa thông tin cá "
            "nhân, rèn luyện, số buổi nghỉ và nhận xét của GVCN.",
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
                    ],
                    description="Học sinh lớp chủ nhiệm trong năm học hiện tại",
                ),
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
                        "transfer_out",
                        "years.*.awards",
                        "years.*.discipline",
                    ],
                    description="Mọi học sinh: hồ sơ, khen thưởng, kỷ luật",
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
    ]


async def seed_roles(actor: Actor | None = None) -> list[str]:
    """Insert the default roles that do not exist yet; existing ones are never overwritten.

    Returns the codes created.
    """
    existing = {code for (code,) in await existing_keys("roles", ("code",))}
    missing = [role for role in default_roles() if role.code not in existing]
    writer = system_writer(
        "roles", actor or SYSTEM_ACTOR, source=WriteSource.SEED, reason="Tạo vai trò mặc định"
    )
    # A concurrent seed may create some first: the unique index keeps theirs.
    await writer.insert_many(missing, skip_duplicates=True)
    return [role.code for role in missing]
