"""Invariants of the production deployment files, checked by parsing them (no Docker needed).

Each invariant is a function returning a list of problems. The real files must yield none, and
for every invariant a deliberately broken copy must yield some, so no check can pass vacuously.
"""

from __future__ import annotations

import copy
import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SECRET_WORDS = ("PASSWORD", "SECRET", "KEY")
LOOPBACK = {"127.0.0.1", "::1", "[::1]", "localhost"}

Compose = dict[str, Any]

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, ${NAME:+alt}
_BRACED = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")
_BARE = re.compile(r"\$(?P<name>[A-Za-z_][A-Za-z0-9_]*)")
_URI_WITH_PASSWORD = re.compile(r"mongodb(?:\+srv)?://[^/\s@]*:[^/\s@]*@")


def _without_escapes(text: str) -> str:
    return text.replace("$$", "")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Resolve compose-style variables in ``text`` the way ``docker compose`` does."""

    def braced(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        value = env.get(name)
        if op in (":-", ":?", ":+"):
            value = value or None  # the colon forms treat empty as unset
        if op in (":-", "-"):
            return arg if value is None else value
        if op in (":?", "?"):
            if value is None:
                raise KeyError(f"{name}: {arg}")
            return value
        if op in (":+", "+"):
            return "" if value is None else arg
        return value or ""

    parts = text.split("$$")
    resolved = [_BARE.sub(lambda m: env.get(m["name"], ""), _BRACED.sub(braced, p)) for p in parts]
    return "$".join(resolved)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def _arg_value(args: list[str], flag: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def _is_secret_name(name: str) -> bool:
    return any(word in name.upper() for word in SECRET_WORDS)


def _fake_env(compose: Compose) -> dict[str, str]:
    """A value for every variable the file mentions, as an operator's .env would provide."""
    names: set[str] = set()
    for text in _strings(compose):
        names.update(m["name"] for m in _BRACED.finditer(_without_escapes(text)))
    return {name: f"x{name.lower()}" for name in names}


# --- invariants -----------------------------------------------------------------------------


def mongo_problems(compose: Compose) -> list[str]:
    problems = []
    mongo = compose["services"].get("mongo", {})
    if not re.fullmatch(r"mongo:8\.\d+(\.\d+)?", str(mongo.get("image", ""))):
        problems.append("mongo image must be mongo:8.<minor> (pinned minor)")
    args = _command(mongo)
    if not _arg_value(args, "--replSet"):
        problems.append("mongod must run with --replSet")
    key_file = _arg_value(args, "--keyFile")
    if not key_file:
        problems.append("mongod must run with --keyFile")
    if "--auth" not in args:
        problems.append("mongod must run with --auth")
    env = _environment(mongo)
    for var, source in (
        ("MONGO_INITDB_ROOT_USERNAME", "MONGO_ROOT_USER"),
        ("MONGO_INITDB_ROOT_PASSWORD", "MONGO_ROOT_PASSWORD"),
    ):
        if not env.get(var, "").startswith("${" + source + ":?"):
            problems.append(f"{var} must come from a required ${{{source}}}")
    named = set(compose.get("volumes") or {})
    mounts = [str(v).split(":") for v in mongo.get("volumes") or []]
    targets = {m[1]: m[0] for m in mounts if len(m) >= 2}
    if targets.get("/data/db") not in named:
        problems.append("/data/db must be a named volume")
    if key_file and not any(
        key_file.startswith(target.rstrip("/") + "/") and source in named
        for target, source in targets.items()
    ):
        problems.append("the keyfile must come from a named volume")
    return problems


def secret_problems(compose: Compose) -> list[str]:
    problems = []
    for text in _strings(compose):
        for match in _BRACED.finditer(_without_escapes(text)):
            if _is_secret_name(match["name"]) and (match["op"] != ":?" or not match["arg"]):
                problems.append(f"{match[0]} must use the ${{VAR:?message}} form (no default)")
    for name, service in compose["services"].items():
        for key, value in _environment(service).items():
            if _is_secret_name(key) and not re.fullmatch(r"\$\{[A-Za-z0-9_]+:\?[^}]+\}", value):
                problems.append(f"{name}.{key} must be exactly one required ${{VAR:?message}}")
            if _URI_WITH_PASSWORD.search(value) and not re.search(
                r":\$\{[A-Za-z0-9_]*PASSWORD:\?[^}]+\}@", value
            ):
                problems.append(f"{name}.{key} holds a literal database password")
    return problems


def app_environment_problems(compose: Compose) -> list[str]:
    env = _environment(compose["services"].get("app", {}))
    problems = []
    if env.get("ENV") != "production":
        problems.append("the app must run with ENV=production")
    if not env.get("SECRET_KEY", "").startswith("${SECRET_KEY:?"):
        problems.append("SECRET_KEY must come from a required ${SECRET_KEY}")
    if compose["services"].get("app", {}).get("restart") != "unless-stopped":
        problems.append("the app must restart unless-stopped")
    return problems


def forwarded_problems(compose: Compose) -> list[str]:
    """Forwarded client addresses are trusted from the reverse proxy only, never from anyone."""
    env = _environment(compose["services"].get("app", {}))
    value = str(env.get("FORWARDED_ALLOW_IPS", ""))
    default = value.split(":-", 1)[1].rstrip("}") if ":-" in value else value
    if not default or "*" in default:
        return ["FORWARDED_ALLOW_IPS must name the reverse proxy, not everyone"]
    networks = compose.get("networks") or {}
    configs = ((networks.get("frontend") or {}).get("ipam") or {}).get("config") or []
    gateways = {c.get("gateway") for c in configs}
    if default not in gateways:
        return ["the default proxy address must be the frontend network's fixed gateway"]
    return []


def depends_on_problems(compose: Compose) -> list[str]:
    depends_on = compose["services"].get("app", {}).get("depends_on") or {}
    if not isinstance(depends_on, dict):
        return ["app.depends_on must use the long form with conditions"]
    if (depends_on.get("mongo") or {}).get("condition") != "service_healthy":
        return ["the app must wait for mongo to be healthy"]
    return []


def healthcheck_problems(compose: Compose) -> list[str]:
    problems = []
    expected = {"mongo": ("ping", "isWritablePrimary"), "app": ("/healthz",)}
    for name, needles in expected.items():
        check = compose["services"].get(name, {}).get("healthcheck") or {}
        test = check.get("test") or []
        text = " ".join(test) if isinstance(test, list) else str(test)
        if check.get("disable") or not text or text.split()[0] == "NONE":
            problems.append(f"{name} needs a healthcheck")
        elif not all(needle in text for needle in needles):
            problems.append(f"{name} healthcheck must check {', '.join(needles)}")
    return problems


def uri_problems(compose: Compose) -> list[str]:
    services = compose["services"]
    raw = _environment(services.get("app", {})).get("MONGODB_URI", "")
    uri = urlsplit(interpolate(raw, _fake_env(compose)))
    query = parse_qs(uri.query)
    repl_set = _arg_value(_command(services.get("mongo", {})), "--replSet")
    problems = []
    if uri.scheme != "mongodb" or uri.hostname != "mongo":
        problems.append("MONGODB_URI must point at the mongo service")
    if not repl_set or query.get("replicaSet") != [repl_set]:
        problems.append(f"MONGODB_URI must name the replica set ({repl_set})")
    if not query.get("authSource"):
        problems.append("MONGODB_URI must name its authSource")
    if "${MONGO_APP_USER:?" not in raw or "${MONGO_APP_PASSWORD:?" not in raw:
        problems.append("MONGODB_URI must use the app user, not root")
    return problems


def _host_ip(port: Any) -> str | None:
    if isinstance(port, dict):
        return str(port.get("host_ip") or "") or None
    text = interpolate(str(port), {})
    if text.startswith("["):  # [::1]:8000:8000
        return text[1 : text.index("]")]
    parts = text.split(":")
    return parts[0] if len(parts) == 3 else None


def port_problems(compose: Compose) -> list[str]:
    problems = []
    for name, service in compose["services"].items():
        if service.get("network_mode") == "host":
            problems.append(f"{name} must not use host networking")
        ports = service.get("ports") or []
        if name != "app" and ports:
            problems.append(f"{name} must not publish ports")
        for port in ports:
            if _host_ip(port) not in LOOPBACK:
                problems.append(f"{name} publishes {port} beyond loopback by default")
    return problems


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", dockerfile)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), (line.split(None, 1) + [""])[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def dockerfile_problems(dockerfile: str, dockerignore: str) -> list[str]:
    problems = []
    instructions = _instructions(dockerfile)
    users = [args.split(":")[0].strip() for kw, args in instructions if kw == "USER"]
    if not users or users[-1] in ("root", "0"):
        problems.append("the image must end with USER <non-root>")
    for keyword, args in instructions:
        if keyword == "ENV":
            tokens = shlex.split(args)
            names = [t.split("=", 1)[0] for t in tokens] if "=" in args else tokens[:1]
        elif keyword == "ARG":
            names = [args.split("=", 1)[0].strip()]
        else:
            names = []
        problems += [
            f"{keyword} {n} bakes a secret into the image"
            for n in names
            if n and _is_secret_name(n)
        ]
        if keyword in ("COPY", "ADD") and ".env" in shlex.split(args)[:-1]:
            problems.append("the image must not copy .env")
    if _URI_WITH_PASSWORD.search(dockerfile):
        problems.append("the Dockerfile holds a database password")
    if ".env" not in {line.strip() for line in dockerignore.splitlines()}:
        problems.append(".dockerignore must exclude .env")
    if ("CMD", '["hocba", "serve"]') not in instructions:
        problems.append('the image must run CMD ["hocba", "serve"]')
    if not any(kw == "HEALTHCHECK" and "/healthz" in args for kw, args in instructions):
        problems.append("the image needs a HEALTHCHECK on /healthz")
    return problems


def backup_problems(compose: Compose) -> list[str]:
    """A scheduled, encrypted backup into a named volume; only that service holds the key."""
    services = compose["services"]
    backup = services.get("backup")
    if backup is None:
        return ["a backup service must run the schedule"]
    problems = []
    if _command(backup)[:3] != ["hocba", "backup", "schedule"]:
        problems.append("the backup service must run `hocba backup schedule`")
    env = _environment(backup)
    if not env.get("BACKUP_KEY", "").startswith("${BACKUP_KEY:?"):
        problems.append("BACKUP_KEY must come from a required ${BACKUP_KEY}")
    if "BACKUP_KEY" in _environment(services.get("app", {})):
        problems.append("the web app must not hold the backup key")
    named = set(compose.get("volumes") or {})
    mounts = dict(reversed(str(v).split(":")[:2]) for v in backup.get("volumes") or [])
    if mounts.get(env.get("BACKUP_DIR", "")) not in named:
        problems.append("BACKUP_DIR must be a named volume")
    if backup.get("restart") != "unless-stopped":
        problems.append("the backup service must restart unless-stopped")
    return problems


# --- the real files pass ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> Compose:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


COMPOSE_CHECKS: list[Callable[[Compose], list[str]]] = [
    mongo_problems,
    secret_problems,
    app_environment_problems,
    forwarded_problems,
    depends_on_problems,
    healthcheck_problems,
    uri_problems,
    port_problems,
    backup_problems,
]


@pytest.mark.parametrize("check", COMPOSE_CHECKS, ids=lambda c: c.__name__)
def test_compose_invariant_holds(compose: Compose, check: Callable[[Compose], list[str]]) -> None:
    assert check(compose) == []


def test_dockerfile_invariants_hold() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    dockerignore = (ROOT / ".dockerignore").read_text(encoding="utf-8")
    assert dockerfile_problems(dockerfile, dockerignore) == []


def test_env_example_documents_every_variable(compose: Compose) -> None:
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert set(_fake_env(compose)) - documented == set()


def test_interpolation_follows_compose_rules() -> None:
    env = {"SET": "v", "EMPTY": ""}
    assert interpolate("${SET:-d}|${EMPTY:-d}|${EMPTY-d}|${UNSET-d}|$$SET", env) == "v|d||d|$SET"
    with pytest.raises(KeyError):
        interpolate("${EMPTY:?required}", env)


# --- and each invariant can fail ------------------------------------------------------------


def _svc(c: Compose, name: str) -> dict[str, Any]:
    return c["services"][name]


def _drop_arg(c: Compose, flag: str) -> None:
    args = _svc(c, "mongo")["command"]
    i = args.index(flag)
    del args[i : i + (1 if flag == "--auth" else 2)]


BREAKAGES: list[tuple[str, Callable[[Compose], list[str]], Callable[[Compose], None]]] = [
    (
        "trust every proxy",
        forwarded_problems,
        lambda c: _svc(c, "app")["environment"].update(
            FORWARDED_ALLOW_IPS="${FORWARDED_ALLOW_IPS:-*}"
        ),
    ),
    ("no fixed gateway", forwarded_problems, lambda c: c["networks"].update(frontend={})),
    ("no replSet", mongo_problems, lambda c: _drop_arg(c, "--replSet")),
    ("no keyFile", mongo_problems, lambda c: _drop_arg(c, "--keyFile")),
    ("no auth", mongo_problems, lambda c: _drop_arg(c, "--auth")),
    ("unpinned image", mongo_problems, lambda c: _svc(c, "mongo").update(image="mongo:latest")),
    (
        "data bind mount",
        mongo_problems,
        lambda c: _svc(c, "mongo").update(volumes=["./db:/data/db"]),
    ),
    (
        "root password literal",
        mongo_problems,
        lambda c: _svc(c, "mongo")["environment"].update(MONGO_INITDB_ROOT_PASSWORD="example"),
    ),
    (
        "secret default",
        secret_problems,
        lambda c: _svc(c, "mongo")["environment"].update(
            MONGO_INITDB_ROOT_PASSWORD="${MONGO_ROOT_PASSWORD:-example}"
        ),
    ),
    (
        "secret literal",
        secret_problems,
        lambda c: _svc(c, "app")["environment"].update(SECRET_KEY="not-so-secret"),
    ),
    (
        "password in URI",
        secret_problems,
        lambda c: _svc(c, "app")["environment"].update(
            MONGODB_URI="mongodb://u:hunter2@mongo:27017/?replicaSet=rs0"
        ),
    ),
    (
        "dev mode",
        app_environment_problems,
        lambda c: _svc(c, "app")["environment"].update(ENV="development"),
    ),
    ("no restart", app_environment_problems, lambda c: _svc(c, "app").pop("restart")),
    (
        "started only",
        depends_on_problems,
        lambda c: _svc(c, "app")["depends_on"]["mongo"].update(condition="service_started"),
    ),
    (
        "short depends_on",
        depends_on_problems,
        lambda c: _svc(c, "app").update(depends_on=["mongo"]),
    ),
    ("no mongo healthcheck", healthcheck_problems, lambda c: _svc(c, "mongo").pop("healthcheck")),
    (
        "ping only",
        healthcheck_problems,
        lambda c: _svc(c, "mongo")["healthcheck"].update(
            test=["CMD", "mongosh", "--eval", "db.adminCommand('ping')"]
        ),
    ),
    (
        "app healthcheck off",
        healthcheck_problems,
        lambda c: _svc(c, "app")["healthcheck"].update(disable=True),
    ),
    (
        "no replicaSet",
        uri_problems,
        lambda c: _svc(c, "app")["environment"].update(
            MONGODB_URI="mongodb://${MONGO_APP_USER:?x}:${MONGO_APP_PASSWORD:?x}@mongo:27017/hocba?authSource=hocba"
        ),
    ),
    ("wrong replicaSet", uri_problems, lambda c: _svc(c, "mongo")["command"].__setitem__(1, "rs9")),
    (
        "mongo published",
        port_problems,
        lambda c: _svc(c, "mongo").update(ports=["127.0.0.1:27017:27017"]),
    ),
    ("app on all interfaces", port_problems, lambda c: _svc(c, "app").update(ports=["8000:8000"])),
    (
        "app on 0.0.0.0",
        port_problems,
        lambda c: _svc(c, "app").update(ports=["${APP_BIND_ADDRESS:-0.0.0.0}:8000:8000"]),
    ),
    ("host network", port_problems, lambda c: _svc(c, "mongo").update(network_mode="host")),
    ("no backup", backup_problems, lambda c: c["services"].pop("backup")),
    (
        "backup key in app",
        backup_problems,
        lambda c: _svc(c, "app")["environment"].update(BACKUP_KEY="${BACKUP_KEY:?x}"),
    ),
    (
        "backup key default",
        backup_problems,
        lambda c: _svc(c, "backup")["environment"].update(BACKUP_KEY="${BACKUP_KEY:-k}"),
    ),
    (
        "backups in the container",
        backup_problems,
        lambda c: _svc(c, "backup").update(volumes=["./b:/elsewhere"]),
    ),
    ("backup never runs", backup_problems, lambda c: _svc(c, "backup").update(command=["true"])),
]


@pytest.mark.parametrize(
    ("check", "breakage"),
    [(check, breakage) for _, check, breakage in BREAKAGES],
    ids=[b[0] for b in BREAKAGES],
)
def test_compose_invariant_detects_breakage(
    compose: Compose,
    check: Callable[[Compose], list[str]],
    breakage: Callable[[Compose], None],
) -> None:
    broken = copy.deepcopy(compose)
    breakage(broken)
    assert check(broken) != []


@pytest.mark.parametrize(
    ("edit", "ignore_edit"),
    [
        (lambda d: re.sub(r"(?m)^USER .*$", "", d), None),
        (lambda d: re.sub(r"(?m)^USER .*$", "USER root", d), None),
        (lambda d: d + "\nENV SECRET_KEY=abc\n", None),
        (lambda d: d + "\nARG MONGO_ROOT_PASSWORD=abc\n", None),
        (lambda d: d + "\nENV MONGODB_URI=mongodb://app:pw@mongo/hocba\n", None),
        (lambda d: d + "\nCOPY .env /app/.env\n", None),
        (lambda d: re.sub(r"(?m)^CMD .*$", 'CMD ["sh"]', d), None),
        (lambda d: d, lambda i: re.sub(r"(?m)^\.env\n", "", i)),
    ],
    ids=["no-user", "root", "env-secret", "arg-secret", "uri", "copy-env", "cmd", "dockerignore"],
)
def test_dockerfile_invariant_detects_breakage(
    edit: Callable[[str], str], ignore_edit: Callable[[str], str] | None
) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    dockerignore = (ROOT / ".dockerignore").read_text(encoding="utf-8")
    broken_ignore = ignore_edit(dockerignore) if ignore_edit else dockerignore
    assert dockerfile_problems(edit(dockerfile), broken_ignore) != []
