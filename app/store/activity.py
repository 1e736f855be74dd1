"""When the app last wrote to an audited collection (the newest write stamp): the operations
page compares it with the change log's newest entry to show how far the log is behind."""

from __future__ import annotations

from datetime import datetime

from models.resources import AUDITED_RESOURCES

from .collections import collection


async def newest_stamp() -> datetime | None:
    newest: datetime | None = None
    for resource in AUDITED_RESOURCES:
        found = (
            await collection(resource)
            .find({"meta.at": {"$ne": None}}, {"meta.at": 1})
            .sort("meta.at", -1)
            .limit(1)
            .to_list(1)
        )
        at = (found[0].get("meta") or {}).get("at") if found else None
        if isinstance(at, datetime) and (newest is None or at > newest):
            newest = at
    return newest
