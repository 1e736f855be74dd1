"""The one door to the data: restricted read handles and stamped writes.

Nothing outside this package touches an audited collection (pupils, accounts, roles, catalogues)
or the change log's collection directly: a request gets one :class:`Access`, which hands out
:class:`Restricted` handles (row filter and field pruning always applied) and :class:`Writer`
objects (version, stamp, revision, lock guard and scope guard in every write). Seeding, the
command line and bootstrap use the same writer as a system actor.
"""

from .access import DENY_ALL, Access, access_for, previewing, scope_computations, scope_for
from .handles import Found, Restricted
from .log import LogEntries
from .principal import Principal, principal_of, session_principal
from .writes import OUT_OF_SCOPE, UNSET, Writer, system_writer

__all__ = [
    "DENY_ALL",
    "OUT_OF_SCOPE",
    "UNSET",
    "Access",
    "access_for",
    "scope_for",
    "Found",
    "LogEntries",
    "Principal",
    "Restricted",
    "Writer",
    "previewing",
    "principal_of",
    "scope_computations",
    "session_principal",
    "system_writer",
]
