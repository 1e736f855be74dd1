"""The layers show in the tree, and the tree keeps them: no module imports from a layer above
its own, no import hides inside a function, and nothing outside the data-access layer reaches
an audited collection directly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "app", "admin", "seed")

# Layer of each module, by the longest matching dotted prefix (higher = above).
BOTTOM, RULES, DOOR, SERVICES, DELIVERY, WIRING = range(6)
LAYERS: dict[str, int] = {
    "app": BOTTOM,  # the package itself
    "models": BOTTOM,
    "app.errors": BOTTOM,
    "app.context": BOTTOM,
    "app.config": BOTTOM,
    "app.grading": BOTTOM,
    "app.validation_vi": BOTTOM,
    "app.permissions": RULES,
    "app.records": RULES,
    "app.store": DOOR,
    "app.changelog": SERVICES,
    "app.office": SERVICES,
    "app.auth": SERVICES,
    "app.backup": SERVICES,
    "app.operations": SERVICES,
    "app.scorebook": SERVICES,
    "app.parents": SERVICES,
    "app.parents.routes": DELIVERY,
    "app.workflow": SERVICES,
    "app.dashboards": SERVICES,
    "app.exports": SERVICES,
    "seed": SERVICES,
    "app.auth.csrf": DELIVERY,
    "app.auth.templates": DELIVERY,
    "app.auth.flash": DELIVERY,
    "app.auth.deps": DELIVERY,
    "app.auth.middleware": DELIVERY,
    "app.auth.login_routes": DELIVERY,
    "app.auth.account_routes": DELIVERY,
    "app.auth.admin_provider": DELIVERY,
    "app.auth.install": DELIVERY,
    "app.api": DELIVERY,
    "app.web": DELIVERY,
    "admin": DELIVERY,
    "app.main": WIRING,
    "app.cli": WIRING,
    "app.cli_parser": WIRING,
    "app.runtime": WIRING,
    "app.db": WIRING,
}
# Wiring may defer heavy imports to the command that needs them (start-up time of the CLI).
LAZY_IMPORTS_ALLOWED = {"app.cli", "app.runtime"}

AUDITED_MODELS = {"StudentRecord", "User", "Role", "SchoolYear", "SchoolClass", "Subject"}
AUDITED_MODELS |= {"ParentReport", "Gradebook", "CorrectionRequest"}
AUDITED_COLLECTIONS = {"students", "users", "roles", "school_years", "classes", "subjects"}
AUDITED_COLLECTIONS |= {"parent_reports", "gradebooks", "corrections"}
AUDITED_MODELS |= {"Inspection"}
AUDITED_COLLECTIONS |= {"inspections"}
RAW_READS_AND_WRITES = {
    "get_pymongo_collection",
    "find",
    "find_one",
    "find_all",
    "get",
    "insert_one",
    "insert_many",
    "delete_all",
    "update_all",
    "aggregate",
    "count",
    "distinct",
}
INSTANCE_WRITES = {"insert", "save", "replace", "save_changes", "delete", "set", "inc"}
# Sign-in sessions and journal entries are the sign-in service's own, not audited records.
NOT_AUDITED = {"session", "event"}
# The change-log worker follows every collection as the database reports it: it is the one
# reader below the permission rules by design (it writes the log, it never serves a user).
DOOR_EXEMPT = {"app.changelog.worker", "app.changelog.reconcile", "app.changelog.verify"}
# Backups copy the database as it is stored, below the permission rules by design; restore
# writes the archived bytes back without the write stamp, so the copy hashes as the original.
DOOR_EXEMPT |= {"app.backup.dump", "app.backup.restore", "app.backup.verify"}


def modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found.append((name, path))
    return found


def layer(module: str) -> int | None:
    best = None
    for prefix, level in LAYERS.items():
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best[0])
        ):
            best = (prefix, level)
    return best[1] if best else None


def imported(module: str, tree: ast.Module) -> list[tuple[str, ast.AST]]:
    names = []
    package = module if module.count(".") == 0 else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.append((base, node))
    return names


def in_function(tree: ast.Module) -> list[ast.AST]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(inner)
    return found


MODULES = modules()


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_no_module_imports_from_a_layer_above_its_own(module: str, path: Path) -> None:
    own = layer(module)
    assert own is not None, f"{module} has no layer: add it to LAYERS"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    upward = [
        f"{name} (line {node.lineno})"  # type: ignore[attr-defined]
        for name, node in imported(module, tree)
        if (target := layer(name)) is not None and target > own
    ]
    assert upward == [], f"{module} imports upward"
    if module not in LAZY_IMPORTS_ALLOWED:
        hidden = [f"line {n.lineno}" for n in in_function(tree)]  # type: ignore[attr-defined]
        assert hidden == [], f"{module} imports inside a function"


def door_violations(source: str) -> list[str]:
    tree = ast.parse(source)
    imports_audited = any(
        isinstance(node, ast.ImportFrom) and any(a.name in AUDITED_MODELS for a in node.names)
        for node in ast.walk(tree)
    )
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver, method = node.func.value, node.func.attr
            if (
                isinstance(receiver, ast.Name)
                and receiver.id in AUDITED_MODELS
                and method in RAW_READS_AND_WRITES
            ):
                found.append(f"{receiver.id}.{method} (line {node.lineno})")
            elif (
                imports_audited
                and method in INSTANCE_WRITES
                and not node.args
                and not (isinstance(receiver, ast.Name) and receiver.id in NOT_AUDITED)
            ):
                found.append(f".{method}() (line {node.lineno})")
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value in AUDITED_COLLECTIONS
        ):
            found.append(f'["{node.slice.value}"] (line {node.lineno})')
    return found


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_only_the_data_layer_reaches_audited_collections(module: str, path: Path) -> None:
    if module.startswith("app.store") or module in DOOR_EXEMPT:
        return
    assert door_violations(path.read_text(encoding="utf-8")) == [], module


@pytest.mark.parametrize(
    "source",
    [
        "from models.student import StudentRecord\nStudentRecord.get_pymongo_collection()",
        "from models.user import User\nasync def f(u):\n    await u.save()",
        "from models.role import Role\nRole.find_one({})",
        "def f(db):\n    return db['students'].find({})",
    ],
)
def test_the_door_check_catches_a_direct_access(source: str) -> None:
    assert door_violations(source) != []
