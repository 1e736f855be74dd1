"""Failed sign-ins counted in MongoDB per account name and per client address.

A counter restarts when its last failure is older than the lock duration. Reaching the
threshold locks that account name (or address) for the lock duration; attempts during a lock are
refused without checking the password and are not counted, so they cannot extend it. Unknown
account names are counted exactly like real ones, so a lock reveals nothing about existence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from models.auth import LoginThrottle, ThrottleScope

from .config import AuthConfig

ACCOUNT_KEY_MAX = 100


def account_key(username: str) -> str:
    return username.strip().lower()[:ACCOUNT_KEY_MAX]


def address_key(client_ip: str | None) -> str:
    return client_ip or "unknown"


def delay_seconds(failures: int, config: AuthConfig) -> float:
    """0.5 s × 2^(n−3) from the 3rd consecutive failure, capped (with the default settings)."""
    if failures < config.delay_after_failures:
        return 0.0
    exponent = min(failures - config.delay_after_failures, 32)
    return min(config.delay_cap_seconds, config.delay_base_seconds * 2**exponent)


@dataclass(frozen=True)
class Lock:
    until: datetime
    failures: int


@dataclass(frozen=True)
class FailureCount:
    failures: int
    locked_now: bool


def _threshold(scope: ThrottleScope, config: AuthConfig) -> int:
    if scope is ThrottleScope.ACCOUNT:
        return config.account_lock_failures
    return config.address_lock_failures


async def active_lock(keys: dict[ThrottleScope, str], now: datetime) -> Lock | None:
    """The longest lock in force on any of the keys, if one is."""
    query = {"$or": [{"scope": scope.value, "key": key} for scope, key in keys.items()]}
    locks = [
        Lock(until=doc["locked_until"], failures=doc.get("failures", 0))
        async for doc in LoginThrottle.get_pymongo_collection().find(query)
        if doc.get("locked_until") is not None and doc["locked_until"] > now
    ]
    return max(locks, key=lambda lock: lock.until) if locks else None


async def register_failure(
    scope: ThrottleScope, key: str, *, now: datetime, config: AuthConfig
) -> FailureCount:
    collection = LoginThrottle.get_pymongo_collection()
    selector = {"scope": scope.value, "key": key}
    # A quiet period as long as a lock wipes the slate.
    await collection.update_one(
        {**selector, "last_failure_at": {"$lt": now - config.lock_duration}},
        {"$set": {"failures": 0}},
    )
    update: dict[str, Any] = {
        "$inc": {"failures": 1},
        "$set": {"last_failure_at": now},
        "$setOnInsert": {"locked_until": None},
    }
    try:
        doc = await collection.find_one_and_update(
            selector, update, upsert=True, return_document=ReturnDocument.AFTER
        )
    except DuplicateKeyError:  # two first failures at once: the other insert won
        doc = await collection.find_one_and_update(
            selector, update, return_document=ReturnDocument.AFTER
        )
    assert doc is not None  # upserted above
    failures = int(doc["failures"])
    locked_now = False
    if failures >= _threshold(scope, config):
        result = await collection.update_one(
            {**selector, "$or": [{"locked_until": None}, {"locked_until": {"$lte": now}}]},
            {"$set": {"locked_until": now + config.lock_duration}},
        )
        locked_now = result.modified_count == 1
    return FailureCount(failures=failures, locked_now=locked_now)


async def reset(scope: ThrottleScope, key: str) -> None:
    await LoginThrottle.get_pymongo_collection().update_one(
        {"scope": scope.value, "key": key}, {"$set": {"failures": 0, "locked_until": None}}
    )
