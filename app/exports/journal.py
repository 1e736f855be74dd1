"""The export journal: one append-only entry per file handed out."""

from __future__ import annotations

from collections.abc import Sequence

from app.clock import utcnow
from app.context import current_request_id
from app.store import Access
from models.exports import ExportEntry, ExportKind

MAX_CODES = 2000  # pupils' codes kept per entry (a school-year file lists every pupil)


async def journal(
    access: Access,
    kind: ExportKind,
    *,
    file_format: str,
    file_name: str,
    description: str,
    pupil_codes: Sequence[str] = (),
    pupil_count: int | None = None,
    school_year: str | None = None,
    class_name: str | None = None,
) -> ExportEntry:
    """Append who exported what, now. ``pupil_count`` is for a file that counts pupils
    without naming them (statistics); otherwise it is the number of codes."""
    user = access.user
    actor = access.actor()
    entry = ExportEntry(
        at=utcnow(),
        kind=kind,
        file_format=file_format,
        file_name=file_name,
        description=description,
        school_year=school_year,
        class_name=class_name,
        pupil_count=len(pupil_codes) if pupil_count is None else pupil_count,
        pupil_codes=list(pupil_codes)[:MAX_CODES],
        actor_id=actor.id,
        actor_name=actor.name,
        username=user.username if user is not None else None,
        request_id=current_request_id.get(),
    )
    await entry.insert()
    return entry
