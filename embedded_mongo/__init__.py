"""An embedded MongoDB-compatible server for tests and trials (never for production data).

It speaks the MongoDB wire protocol on a loopback port and delegates query, update and
aggregation semantics to mongomock-ng, so the real PyMongo driver, Beanie and starlette-admin
run against it unmodified, change streams included.
"""

from .server import EmbeddedMongoServer, ServerThread

__all__ = ["EmbeddedMongoServer", "ServerThread", "start_in_thread"]


def start_in_thread(**options: object) -> ServerThread:
    """Start a server on its own thread and event loop; returns once it accepts connections."""
    return ServerThread(**options).start()
