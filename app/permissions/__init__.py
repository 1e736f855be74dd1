"""The permission rules: roles as data, evaluated without any I/O.

:func:`compute_scope` turns a user's context and roles into the effective row filter and field
rules for (resource, action); deny by default. The data-access layer (``app/store``) loads the
roles once per request and enforces the result on every read and write.
"""

from models.role import ACTION_LABELS, Action, Permission, Role
from models.rules.filters import parse_filter, validate_field_patterns, validate_filter
from models.rules.variables import VARIABLES, UserContext, build_context

from .fields import FieldRules
from .matcher import matches
from .scope import MATCH_NOTHING, Grant, Scope, compute_scope

__all__ = [
    "ACTION_LABELS",
    "MATCH_NOTHING",
    "VARIABLES",
    "Action",
    "FieldRules",
    "Grant",
    "Permission",
    "Role",
    "Scope",
    "UserContext",
    "build_context",
    "compute_scope",
    "matches",
    "parse_filter",
    "validate_field_patterns",
    "validate_filter",
]
