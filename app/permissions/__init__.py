"""The permission engine: roles as data, one deny-by-default chokepoint.

Every read or write of a resource asks :func:`scope_for` (user, resource, action) for the
effective MongoDB filter and field rules; out-of-scope records answer 404.
"""

from models.role import ACTION_LABELS, RESOURCE_LABELS, Action, Permission, Role

from .engine import (
    check_record,
    collection_of,
    load_roles,
    permission_cache,
    scope_for,
    still_in_scope,
)
from .explain import Explanation, ImpactRow, Verdict, explain, impact
from .fields import FieldRules
from .matcher import matches
from .scope import MATCH_NOTHING, Grant, Scope, compute_scope
from .validation import parse_filter, validate_field_patterns, validate_filter
from .variables import VARIABLES, UserContext, build_context, user_context

__all__ = [
    "ACTION_LABELS",
    "MATCH_NOTHING",
    "RESOURCE_LABELS",
    "VARIABLES",
    "Action",
    "Explanation",
    "FieldRules",
    "Grant",
    "ImpactRow",
    "Permission",
    "Role",
    "Scope",
    "UserContext",
    "Verdict",
    "build_context",
    "check_record",
    "collection_of",
    "compute_scope",
    "explain",
    "impact",
    "load_roles",
    "matches",
    "parse_filter",
    "permission_cache",
    "scope_for",
    "still_in_scope",
    "user_context",
    "validate_field_patterns",
    "validate_filter",
]
