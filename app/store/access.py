"""One request's access: who acts, and every scope they have, each worked out at most once.

An :class:`Access` is built once per request (by the sign-in middleware) and shared by the API
and the panel. It answers permission questions and hands out the only ways to reach data:
restricted read handles and writers bound to the user's scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from bson import ObjectId

from app.context import Actor
from app.permissions.scope import Scope, compute_scope, denied
from app.records.stamp import resolve_actor
from models.common import WriteSource
from models.resources import RESOURCES
from models.role import Action
from models.user import User

from .handles import Found, Restricted
from .log import LogEntries
from .principal import ANONYMOUS, Principal, principal_of
from .writes import WriteContext, Writer

# How many times an Access has been built in this context (the bench reads it per request).
_built: ContextVar[list[int] | None] = ContextVar("access_builds", default=None)


def scope_computations() -> list[int]:
    """A counter list bound to the current context: its length is the number of accesses
    built since it was bound (see ``bench/requests.py``)."""
    counter = _built.get()
    if counter is None:
        counter = []
        _built.set(counter)
    return counter


@dataclass
class Access:
    principal: Principal = ANONYMOUS
    # While an IT user previews the panel as someone else: the signed-in user, who acts.
    signed_in: User | None = None
    real_can_manage_roles: bool = False
    _scopes: dict[tuple[str, Action], Scope] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        counter = _built.get()
        if counter is not None and self.principal.user is not None:
            counter.append(1)

    # -- who -------------------------------------------------------------------------------
    @property
    def user(self) -> User | None:
        """The signed-in account (the one acting, also while previewing)."""
        return self.signed_in or self.principal.user

    @property
    def preview_of(self) -> User | None:
        return self.principal.user if self.signed_in is not None else None

    @property
    def read_only(self) -> bool:
        return self.signed_in is not None

    def actor(self) -> Actor:
        user = self.user
        if user is None:
            return Actor(id="anonymous", name="Không rõ", role="")
        return Actor(id=str(user.id), name=user.full_name, role=",".join(user.roles))

    # -- what ------------------------------------------------------------------------------
    def scope(self, resource: str, action: Action | str) -> Scope:
        """The user's scope for (resource, action): deny by default, computed once."""
        action = Action(action)
        if resource not in RESOURCES:
            raise ValueError(f"unknown resource {resource!r}")
        key = (resource, action)
        scope = self._scopes.get(key)
        if scope is None:
            principal = self.principal
            if not principal.active:
                scope = denied(principal.ctx, resource, action)
            else:
                scope = compute_scope(principal.ctx, principal.roles, resource, action)
            self._scopes[key] = scope
        return scope

    def can(self, resource: str, action: Action | str) -> bool:
        action = Action(action)
        if self.read_only and action is not Action.VIEW:
            return False  # previewing as another user never writes
        return self.scope(resource, action).allowed

    # -- the door ----------------------------------------------------------------------------
    def handle(self, resource: str, action: Action | str = Action.VIEW) -> Restricted:
        """Reads of ``resource`` for ``action``, limited to the rows and fields granted."""
        action = Action(action)
        view = self.scope(resource, Action.VIEW)
        return Restricted(resource, self.scope(resource, action), view)

    def students(self, action: Action | str = Action.VIEW) -> Restricted:
        return self.handle("students", action)

    def log_entries(self) -> LogEntries:
        """The change log as this user may read it: entries of records in their view scope."""
        return LogEntries(self.scope("change_log", Action.VIEW), self.scope)

    def record_log(self, resource: str, found: Found) -> LogEntries:
        """The history of one record this user may view (found through a restricted handle;
        no grant on the log itself is needed)."""
        return LogEntries(None, self.scope, (resource, found.id))

    def records_log(self, resource: str, found: Sequence[Found]) -> LogEntries:
        """The history of several records this user may view (each found through a
        restricted handle), e.g. a class's pupils for a score book."""
        return LogEntries(None, self.scope, (resource, [f.id for f in found]))

    def writer(
        self,
        resource: str,
        action: Action | str,
        *,
        source: WriteSource,
        reason: str | None = None,
    ) -> Writer:
        """Writes to ``resource`` as this user, within their ``action`` scope."""
        scope = self.scope(resource, action)
        if self.read_only:
            scope = denied(scope.ctx, resource, Action(action))
        actor, request_id = resolve_actor(self.actor(), None)
        context = WriteContext(
            resource=resource,
            actor=actor,
            request_id=request_id,
            source=source,
            reason=reason,
            scope=scope,
        )
        return Writer(context)


DENY_ALL = Access()


async def access_for(user: User | None) -> Access:
    """The access of an account as stored now (for tools, scripts and tests; a request gets
    its access from the sign-in middleware)."""
    if user is None or user.id is None:
        return DENY_ALL
    return Access(principal=await principal_of(user.id))


async def previewing(own: Access, preview_id: ObjectId | str | None) -> Access:
    """The access a request acts with: ``own``, or, while an IT user (who may edit roles)
    previews as the account ``preview_id``, that account's access, read-only. Notes on
    ``own`` whether its user may manage roles (what the IT tools ask)."""
    if own.user is None:
        return own
    can_manage = own.scope("roles", Action.EDIT).allowed
    own.real_can_manage_roles = can_manage
    if preview_id is None or not can_manage:
        return own
    target = await principal_of(preview_id)
    if target.user is None:
        return own
    return Access(principal=target, signed_in=own.user, real_can_manage_roles=True)


async def scope_for(user: User | None, resource: str, action: Action | str) -> Scope:
    return (await access_for(user)).scope(resource, action)
