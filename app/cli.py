"""The ``hocba`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from .cli_parser import VietnameseParser
from .config import Settings, get_settings, new_field_key
from .runtime import connected, database_uri
from .store.directory import existing_keys

Command = Callable[[argparse.Namespace, Settings], int]


def _print_seed_report(report: object) -> None:
    from seed.demo import SeedReport

    assert isinstance(report, SeedReport)
    print(f"Học sinh: {report.created_students} tạo mới, {report.existing_students} đã có.")
    print(f"Tài khoản: {len(report.created_users)} tạo mới, {report.existing_users} đã có.")
    if report.created_users:
        print("Tài khoản mẫu (mật khẩu chỉ dùng để dùng thử):")
        for username, password in report.created_users.items():
            print(f"  {username:<32} {password}")


async def _seed_if_empty(settings: Settings, uri: str) -> None:
    from seed.demo import seed_demo

    async with connected(settings, uri):
        if not await existing_keys("students", ("_id",)):
            print("Cơ sở dữ liệu trống: đang tạo trường mẫu…")
            _print_seed_report(await seed_demo())


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from .main import create_app

    with database_uri(settings) as uri:
        if settings.mongodb_uri is None:
            asyncio.run(_seed_if_empty(settings, uri))
        app = create_app(settings, mongo_uri=uri)
        print(f"Học bạ số: http://{settings.host}:{settings.port}/")
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from seed.demo import seed_demo

    async def run(uri: str) -> None:
        async with connected(settings, uri):
            _print_seed_report(await seed_demo(students=args.students, seed=args.seed))

    with database_uri(settings) as uri:
        asyncio.run(run(uri))
    return 0


def _create_admin(args: argparse.Namespace, settings: Settings) -> int:
    """The first IT account: 0 on success, 1 with a Vietnamese message on stderr otherwise."""
    from models.user import User
    from seed.role_updates import RolesUpdate, update_default_roles

    from .auth.bootstrap import (
        ask,
        check_new_admin,
        cli_actor,
        create_admin,
        print_roles_update,
        read_password,
    )
    from .errors import Conflict, InvalidInput

    try:
        username = ask("Tên đăng nhập: ", args.username).strip().lower()
        full_name = ask("Họ và tên: ", args.full_name).strip()
        password = read_password(args, sys.stdin)
        check_new_admin(username, full_name, password)  # fail before touching the database

        async def run(uri: str) -> tuple[User, RolesUpdate]:
            async with connected(settings, uri):
                # The account's role, and every other default role, must exist for it to act.
                roles = await update_default_roles(cli_actor())
                return await create_admin(username, full_name, password, actor=cli_actor()), roles

        with database_uri(settings) as uri:
            user, roles = asyncio.run(run(uri))
    except (InvalidInput, Conflict) as exc:
        print(f"Không tạo được tài khoản: {exc.message}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("Đã hủy.", file=sys.stderr)
        return 1
    print_roles_update(roles)
    print(f"Đã tạo tài khoản CNTT «{user.username}» ({user.full_name}).")
    return 0


def _roles_update(args: argparse.Namespace, settings: Settings) -> int:
    """Create the missing default roles and bring unchanged default grants up to date (see
    ``seed.role_updates``)."""
    from seed.role_updates import update_default_roles

    from .auth.bootstrap import cli_actor, print_roles_update

    async def run(uri: str) -> None:
        async with connected(settings, uri):
            print_roles_update(await update_default_roles(cli_actor()))

    with database_uri(settings) as uri:
        asyncio.run(run(uri))
    return 0


def _changelog_worker(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    from .changelog.worker import ChangeLogWorker

    async def run(uri: str) -> None:
        async with connected(settings, uri) as client:
            worker = ChangeLogWorker(client[settings.mongodb_db])
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, worker.stop)
            print(f"Đang ghi nhật ký thay đổi (tiến trình {worker.owner}); Ctrl+C để dừng.")
            await worker.run()

    with database_uri(settings) as uri:
        asyncio.run(run(uri))
    return 0


def _changelog_verify(args: argparse.Namespace, settings: Settings) -> int:
    from .changelog.verify import verify_log

    async def run(uri: str) -> bool:
        async with connected(settings, uri) as client:
            report = await verify_log(client[settings.mongodb_db], grace=args.grace)
            print("\n".join(report.lines()))
            return report.ok

    with database_uri(settings) as uri:
        return 0 if asyncio.run(run(uri)) else 1


def _field_key(args: argparse.Namespace, settings: Settings | None) -> int:
    """Needs no settings: the key is made before the server is configured."""
    print(new_field_key())
    return 0


def _backup_key(settings: Settings) -> bytes:
    from .backup.keys import load_key

    return load_key(settings)


def _refused(exc: Exception) -> int:
    print(getattr(exc, "message", str(exc)), file=sys.stderr)
    return 1


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from models.operations import BackupKind

    from .backup.dump import CONSISTENCY_LABELS, write_backup
    from .backup.errors import BackupError
    from .backup.runs import record_backup
    from .backup.schedule import file_name
    from .clock import utcnow

    async def run(uri: str, key: bytes) -> None:
        async with connected(settings, uri) as client:
            path = args.out or settings.backup_dir / file_name(BackupKind.MANUAL, utcnow())
            result = await write_backup(client, settings.mongodb_db, path, key)
            await record_backup(result, BackupKind.MANUAL)
            print(
                f"Đã sao lưu {result.documents} bản ghi của "
                f"{len(result.manifest['collections'])} bảng vào {result.path} "
                f"({result.size_bytes / 1e6:.1f} MB, {result.seconds:.1f} s, "
                f"nhất quán: {CONSISTENCY_LABELS[result.manifest['consistency']]})."
            )

    try:
        key = _backup_key(settings)
        with database_uri(settings) as uri:
            asyncio.run(run(uri, key))
    except BackupError as exc:
        return _refused(exc)
    return 0


def _backup_keygen(args: argparse.Namespace, settings: Settings | None) -> int:
    from .backup.keys import new_key

    print(new_key())
    return 0


def _backup_verify(args: argparse.Namespace, settings: Settings) -> int:
    from .backup.errors import BackupError
    from .backup.runs import record_verification
    from .backup.verify import verify_backup

    async def run(key: bytes) -> bool:
        try:
            outcome = await verify_backup(args.file, key, scratch_uri=args.scratch_uri)
        except BackupError as exc:
            error = exc.message
            outcome = None
        if args.record and settings.mongodb_uri is not None:
            async with connected(settings, settings.mongodb_uri):
                await record_verification(args.file.name, outcome, "" if outcome else error)
        if outcome is None:
            print(error, file=sys.stderr)
            return False
        print("\n".join(outcome.lines))
        print("Bản sao lưu đạt kiểm tra." if outcome.ok else "Bản sao lưu KHÔNG đạt kiểm tra.")
        return outcome.ok

    try:
        key = _backup_key(settings)
    except BackupError as exc:
        return _refused(exc)
    if not args.file.is_file():
        print(f"Không có tệp {args.file}", file=sys.stderr)
        return 1
    return 0 if asyncio.run(run(key)) else 1


def _backup_schedule(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    from .backup.errors import BackupError
    from .backup.schedule import run_schedule

    async def run(uri: str, key: bytes) -> None:
        async with connected(settings, uri) as client:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            print(
                f"Lịch sao lưu: hằng ngày lúc {settings.backup_daily_at}, giữ "
                f"{settings.backup_keep_daily} bản ngày và {settings.backup_keep_weekly} bản tuần "
                f"trong {settings.backup_dir}; Ctrl+C để dừng."
            )
            await run_schedule(client, settings, key, stop)

    try:
        key = _backup_key(settings)
        with database_uri(settings) as uri:
            asyncio.run(run(uri, key))
    except BackupError as exc:
        return _refused(exc)
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from .backup.errors import BackupError
    from .backup.restore import restore

    async def run(uri: str, key: bytes) -> int:
        async with connected(settings, uri) as client:
            outcome = await restore(
                client[settings.mongodb_db], args.file, key, apply=args.apply, force=args.force
            )
            print("\n".join(outcome.lines))
            return 1 if outcome.refused or outcome.differ else 0

    try:
        key = _backup_key(settings)
        if not args.file.is_file():
            print(f"Không có tệp {args.file}", file=sys.stderr)
            return 1
        with database_uri(settings) as uri:
            return asyncio.run(run(uri, key))
    except BackupError as exc:
        return _refused(exc)


def _add_backup_commands(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser(
        "backup", help="tạo bản sao lưu mã hóa của mọi bảng dữ liệu (cần BACKUP_KEY)"
    )
    backup.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="TỆP",
        help="tệp ghi ra (mặc định: một tệp mới trong BACKUP_DIR)",
    )
    backup.set_defaults(func=_backup)
    tools = backup.add_subparsers(dest="backup_command", title="Lệnh", metavar="LỆNH")
    keygen = tools.add_parser("keygen", help="in một khóa sao lưu ngẫu nhiên mới (base64)")
    keygen.set_defaults(func=_backup_keygen, needs_settings=False)
    verify = tools.add_parser(
        "verify",
        help="giải mã, kiểm tra mã băm, khôi phục thử vào cơ sở dữ liệu tạm, so sánh, "
        "kiểm tra chuỗi nhật ký",
    )
    verify.add_argument("file", type=Path, metavar="TỆP", help="tệp sao lưu")
    verify.add_argument(
        "--scratch-uri",
        default=None,
        metavar="URI",
        help="MongoDB để khôi phục thử (mặc định: máy chủ nhúng trong bộ nhớ)",
    )
    verify.add_argument(
        "--no-record",
        dest="record",
        action="store_false",
        help="không ghi kết quả vào cơ sở dữ liệu (cho trang vận hành)",
    )
    verify.set_defaults(func=_backup_verify)
    schedule = tools.add_parser(
        "schedule", help="chạy sao lưu hằng ngày, hằng tuần và kiểm tra hằng tuần cho đến khi dừng"
    )
    schedule.set_defaults(func=_backup_schedule)
    restore = sub.add_parser(
        "restore", help="khôi phục một bản sao lưu (chỉ cho xem sẽ làm gì, trừ khi có --apply)"
    )
    restore.add_argument("file", type=Path, metavar="TỆP", help="tệp sao lưu")
    restore.add_argument("--apply", action="store_true", help="ghi thật (mặc định: chạy thử)")
    restore.add_argument(
        "--force",
        action="store_true",
        help="thay nội dung các bảng đích (nếu không có, bảng đích có dữ liệu thì bị từ chối)",
    )
    restore.set_defaults(func=_restore)


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseParser(
        prog="hocba", description="Học bạ số — sổ học bạ điện tử của nhà trường"
    )
    sub = parser.add_subparsers(dest="command", required=True, title="Lệnh", metavar="LỆNH")
    serve = sub.add_parser(
        "serve", help="chạy ứng dụng web (dùng cơ sở dữ liệu nhúng nếu không có MONGODB_URI)"
    )
    serve.set_defaults(func=_serve)
    seed = sub.add_parser("seed", help="tạo trường mẫu (chạy lại không tạo trùng)")
    seed.add_argument(
        "--students",
        type=int,
        default=None,
        metavar="SỐ",
        help="tổng số học sinh (mặc định: 4 khối × 3 lớp × 30–35)",
    )
    seed.add_argument(
        "--seed", type=int, default=2025, metavar="SỐ", help="hạt giống ngẫu nhiên (mặc định 2025)"
    )
    seed.set_defaults(func=_seed)
    admin = sub.add_parser(
        "create-admin", help="tạo tài khoản quản trị CNTT (cntt); hỏi những gì chưa cho"
    )
    admin.add_argument(
        "--username", metavar="TÊN", help="tên đăng nhập (chữ thường không dấu, số, . _ -)"
    )
    admin.add_argument("--full-name", metavar="HỌ_TÊN", help="họ và tên người dùng")
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn",
    )
    admin.set_defaults(func=_create_admin)
    roles = sub.add_parser(
        "roles-update",
        help="tạo các vai trò mặc định còn thiếu và cập nhật quyền mặc định chưa bị chỉnh sửa "
        "(chạy sau mỗi lần nâng cấp; chạy lại không thay đổi gì)",
    )
    roles.set_defaults(func=_roles_update)
    worker = sub.add_parser(
        "changelog-worker", help="ghi nhật ký thay đổi (mỗi lúc chỉ một tiến trình ghi)"
    )
    worker.set_defaults(func=_changelog_worker)
    changelog = sub.add_parser("changelog", help="công cụ cho nhật ký thay đổi")
    tools = changelog.add_subparsers(
        dest="changelog_command", required=True, title="Lệnh", metavar="LỆNH"
    )
    verify = tools.add_parser(
        "verify",
        help="kiểm tra toàn bộ chuỗi mã băm và không thiếu thay đổi nào; mã thoát 1 nếu có lỗi",
    )
    verify.add_argument(
        "--grace",
        type=float,
        default=2.0,
        metavar="GIÂY",
        help="kiểm tra lại các bản ghi có vẻ chậm sau chừng này giây (tiến trình ghi nhật ký "
        "có thể đang đuổi kịp; mặc định 2)",
    )
    verify.set_defaults(func=_changelog_verify)
    field_key = sub.add_parser(
        "field-key",
        help="in một khóa chính mới cho các trường mã hóa (đặt vào FIELD_KEY, giữ một bản "
        "sao riêng, không để cùng bản sao lưu)",
    )
    field_key.set_defaults(func=_field_key, needs_settings=False)
    _add_backup_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    if not getattr(args, "needs_settings", True):
        return int(args.func(args, None))
    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            print(f"lỗi cấu hình: {error['msg']}", file=sys.stderr)
        return 2
    func: Command = args.func
    return func(args, settings)


if __name__ == "__main__":
    sys.exit(main())
