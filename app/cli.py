"""The ``hocba`` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from .config import Settings, get_settings

Command = Callable[[argparse.Namespace, Settings], int]


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from .main import create_app

    embedded = None
    uri = settings.mongodb_uri
    if uri is None:
        from embedded_mongo import start_in_thread

        embedded = start_in_thread(
            port=settings.embedded_port, data_dir=settings.embedded_data_dir
        )
        uri = embedded.uri
        print(f"Embedded database (for trials only) at {uri}, data in {settings.embedded_data_dir}")
    try:
        app = create_app(settings, mongo_uri=uri)
        print(f"Học bạ số: http://{settings.host}:{settings.port}/")
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


COMMANDS: dict[str, tuple[str, Command]] = {
    "serve": ("start the web app (embedded database when MONGODB_URI is unset)", _serve),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hocba", description="Học bạ số — digital record book")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _) in COMMANDS.items():
        sub.add_parser(name, help=help_text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            print(f"configuration error: {error['msg']}", file=sys.stderr)
        return 2
    return COMMANDS[args.command][1](args, settings)


if __name__ == "__main__":
    sys.exit(main())
