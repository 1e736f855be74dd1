"""Sensitive fields encrypted at rest, with MongoDB's explicit client-side field-level
encryption: the database (and its backups) hold only ciphertext.

The pupil's national learner ID is encrypted deterministically (equal IDs give equal
ciphertext, so the unique index and an exact search still work); guardians' phone numbers are
encrypted at random. The data key lives in the key vault collection, wrapped by a local master
key that never enters the database. The data layer decrypts a value only for a reader whose
field rules let them read it; everyone else never receives it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bson.binary import STANDARD, Binary
from bson.codec_options import CodecOptions
from pymongo import AsyncMongoClient
from pymongo.asynchronous.encryption import AsyncClientEncryption
from pymongo.encryption import Algorithm

from app.permissions.fields import FieldRules

from .collections import collection

KEY_VAULT = "__keyvault"
KEY_NAME = "hocba-fields"
MASTER_KEY_BYTES = 96
ENCRYPTED_SUBTYPE = 6
DETERMINISTIC = Algorithm.AEAD_AES_256_CBC_HMAC_SHA_512_Deterministic
RANDOM = Algorithm.AEAD_AES_256_CBC_HMAC_SHA_512_Random
# resource -> (path pattern with "*" for list positions, algorithm)
SENSITIVE: dict[str, tuple[tuple[str, str], ...]] = {
    "students": (("moet_id", DETERMINISTIC), ("profile.guardians.*.phone", RANDOM)),
}


def is_encrypted(value: Any) -> bool:
    return isinstance(value, Binary) and value.subtype == ENCRYPTED_SUBTYPE


@dataclass
class _Slot:
    container: Any  # the dict or list holding the value
    key: Any  # its key or index
    path: str  # concrete path, list positions included
    algorithm: str

    @property
    def value(self) -> Any:
        return self.container[self.key]


def _slots(doc: dict[str, Any], resource: str) -> Iterator[_Slot]:
    """Every place in ``doc`` that holds a sensitive value."""
    for pattern, algorithm in SENSITIVE.get(resource, ()):
        yield from _walk(doc, pattern.split("."), "", algorithm)


def _walk(node: Any, parts: list[str], prefix: str, algorithm: str) -> Iterator[_Slot]:
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(node, list):
            for index, item in enumerate(node):
                path = f"{prefix}{index}"
                if rest:
                    yield from _walk(item, rest, path + ".", algorithm)
        return
    if not isinstance(node, dict) or head not in node:
        return
    if rest:
        yield from _walk(node[head], rest, f"{prefix}{head}.", algorithm)
    elif node[head] not in (None, ""):
        yield _Slot(node, head, prefix + head, algorithm)


@lru_cache(maxsize=4096)
def sensitive_path(resource: str, path: str) -> bool:
    """Whether a written path is, or holds, a sensitive value (SENSITIVE is fixed: each
    answer is worked out once)."""
    for pattern, _ in SENSITIVE.get(resource, ()):
        wanted = pattern.split(".")
        given = path.split(".")
        if all(w in ("*", g) for w, g in zip(wanted, given, strict=False)):
            return True
    return False


class FieldCipher:
    """Encrypts and decrypts the sensitive fields with one data key."""

    def __init__(self, client: AsyncMongoClient[Any], db_name: str, master_key: bytes) -> None:
        if len(master_key) != MASTER_KEY_BYTES:
            raise ValueError(f"the field master key must be {MASTER_KEY_BYTES} bytes")
        self.client = client
        self.vault = client[db_name][KEY_VAULT]
        self.encryption: AsyncClientEncryption[Any] = AsyncClientEncryption(
            {"local": {"key": master_key}},
            f"{db_name}.{KEY_VAULT}",
            client,
            CodecOptions(uuid_representation=STANDARD),
        )

    async def key_id(self) -> Binary:
        """The data key (created on first use; looked up each time: a key vault restored
        from a backup or emptied by a test is found as it is)."""
        found = await self.vault.find_one({"keyAltNames": KEY_NAME}, {"_id": 1})
        if found is not None:
            key: Binary = found["_id"]
            return key
        created: Binary = await self.encryption.create_data_key("local", key_alt_names=[KEY_NAME])
        return created

    async def encrypt(self, value: str, algorithm: str, key: Binary | None = None) -> Binary:
        sealed: Binary = await self.encryption.encrypt(
            value, algorithm, key_id=key or await self.key_id()
        )
        return sealed

    async def decrypt(self, value: Binary) -> Any:
        return await self.encryption.decrypt(value)

    async def seal(self, docs: Iterable[dict[str, Any]], resource: str) -> None:
        """Encrypt every plaintext sensitive value of ``docs`` in place (the data key is
        looked up once for them all)."""
        slots = [s for doc in docs for s in _slots(doc, resource) if not is_encrypted(s.value)]
        if not slots:
            return
        key = await self.key_id()
        for slot in slots:
            slot.container[slot.key] = await self.encrypt(str(slot.value), slot.algorithm, key)

    async def open(
        self, doc: dict[str, Any], resource: str, rules: FieldRules | None = None
    ) -> dict[str, Any]:
        """A copy of ``doc`` with the sensitive values in plaintext where ``rules`` let the
        reader read them (all, for the system: ``rules`` None) and left out everywhere else."""
        slots = [s for s in _slots(doc, resource) if is_encrypted(s.value)]
        if not slots:
            return doc
        opened = _copy_along(doc, [s.path for s in slots])
        for slot in _slots(opened, resource):
            if not is_encrypted(slot.value):
                continue
            if rules is None or rules.allows(slot.path, doc):
                slot.container[slot.key] = await self.decrypt(slot.value)
            else:
                slot.container[slot.key] = None
        return opened

    async def close(self) -> None:
        await self.encryption.close()


def _copy_along(doc: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A copy of ``doc`` where the containers along ``paths`` are fresh (others shared)."""
    copied = dict(doc)
    for path in paths:
        node: Any = copied
        for part in path.split(".")[:-1]:
            key: Any = int(part) if isinstance(node, list) else part
            child = node[key]
            child = dict(child) if isinstance(child, dict) else list(child)
            node[key] = child
            node = child
    return copied


_master_key: list[bytes] = []
_ciphers: dict[int, FieldCipher] = {}


def configure(master_key: bytes) -> None:
    """Set the process's master key (when the database is connected)."""
    if len(master_key) != MASTER_KEY_BYTES:
        raise ValueError(f"the field master key must be {MASTER_KEY_BYTES} bytes")
    _master_key[:] = [master_key]
    _ciphers.clear()


def cipher() -> FieldCipher:
    """The cipher bound to the database the documents use now."""
    if not _master_key:
        raise RuntimeError("field encryption is not configured: connect with init_models()")
    database = collection("students").database
    client = database.client
    found = _ciphers.get(id(client))
    if found is None or found.client is not client:
        found = _ciphers[id(client)] = FieldCipher(client, database.name, _master_key[0])
    return found
