"""Command line: ``python -m embedded_mongo --port 27017 [--data-dir DIR]``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from .server import EmbeddedMongoServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m embedded_mongo",
        description=(
            "MongoDB-compatible server for tests and trials. NOT for production data: it keeps "
            "everything in memory, has no authentication and listens on loopback only."
        ),
        epilog=(
            "Durability: without --data-dir all data is lost when the process ends. With "
            "--data-dir a snapshot is written atomically every --snapshot-interval seconds when "
            "something changed and on clean shutdown (SIGINT/SIGTERM); a crash loses at most the "
            "writes of the last interval."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=27017, help="TCP port (default 27017)")
    parser.add_argument("--data-dir", help="keep data across restarts in this directory")
    parser.add_argument("--snapshot-interval", type=float, default=5.0, metavar="SECONDS")
    parser.add_argument("--replica-set", default="rs0", help="replica set name (default rs0)")
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="answer as a standalone server (no change streams)",
    )
    parser.add_argument(
        "--history-size", type=int, default=100_000, help="change events kept for resuming streams"
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    server = EmbeddedMongoServer(
        host=args.host,
        port=args.port,
        replica_set=None if args.standalone else args.replica_set,
        data_dir=args.data_dir,
        snapshot_interval=args.snapshot_interval,
        history_size=args.history_size,
    )
    await server.start()
    print(f"listening: {server.uri}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
