"""The ``hocba`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

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
    from .auth.bootstrap import run_create_admin

    return run_create_admin(args, settings)


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


def _field_key() -> int:
    """Needs no settings: it is made before the server is configured."""
    print(new_field_key())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hocba", description="Học bạ số — digital record book")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the web app (embedded database if no MONGODB_URI)")
    serve.set_defaults(func=_serve)
    seed = sub.add_parser("seed", help="create the demo school (idempotent)")
    seed.add_argument(
        "--students",
        type=int,
        default=None,
        help="total number of pupils (default: 4 grades × 3 classes × 30–35)",
    )
    seed.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    seed.set_defaults(func=_seed)
    admin = sub.add_parser(
        "create-admin", help="create an IT (cntt) account; asks for what is not given"
    )
    admin.add_argument("--username", help="login name (lower-case letters, digits, . _ -)")
    admin.add_argument("--full-name", help="the person's full name")
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    admin.set_defaults(func=_create_admin)
    worker = sub.add_parser(
        "changelog-worker", help="write the modification log (one process consumes at a time)"
    )
    worker.set_defaults(func=_changelog_worker)
    changelog = sub.add_parser("changelog", help="modification log tools")
    tools = changelog.add_subparsers(dest="changelog_command", required=True)
    verify = tools.add_parser(
        "verify",
        help="check the whole hash chain and that no change is missing; exit 1 if not",
    )
    verify.add_argument(
        "--grace",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="check records that look behind once more after this delay (a running worker "
        "may be catching up; default 2)",
    )
    verify.set_defaults(func=_changelog_verify)
    field_key = sub.add_parser(
        "field-key",
        help="print a new master key for the encrypted fields (put it in FIELD_KEY, keep a copy "
        "apart from the backups)",
    )
    field_key.set_defaults(func=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    if args.command == "field-key":
        return _field_key()
    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            print(f"configuration error: {error['msg']}", file=sys.stderr)
        return 2
    func: Command = args.func
    return func(args, settings)


if __name__ == "__main__":
    sys.exit(main())
