"""Rendering pages: one Jinja environment, the signed-in user's context on every page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from ..api.deps import Asker
from ..domain.moments import UTC_ZONE, local_day, local_minute

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

ROLE_WORDS = {
    "admin": "administrator",
    "property_clerk": "property clerk",
    "officer": "officer",
    "supervisor": "supervisor",
    "lab_analyst": "lab analyst",
    "prosecutor": "prosecutor",
    "defense_counsel": "defense counsel",
    "judge": "judge / clerk of court",
    "auditor": "auditor",
}
STATUS_WORDS = {
    "in_custody": "in custody",
    "in_transfer": "being handed over",
    "checked_out": "checked out",
    "disposed": "disposed of",
}
EVENT_WORDS = {
    "item.intake": "taken into custody",
    "item.transfer": "handed over (waiting for acknowledgment)",
    "item.receive": "received",
    "item.transfer_cancel": "hand-over cancelled",
    "item.checkout": "checked out",
    "item.checkin": "checked back in",
    "item.move": "moved",
    "item.split": "split",
    "item.file_case": "filed under a case",
    "item.disposition_request": "disposal requested",
    "item.disposition_approve": "disposal approved",
    "item.disposition_withdraw": "disposal request withdrawn",
    "item.disposition": "disposed of",
    "file.attach": "file attached",
    "file.read": "file's text read for linking",
    "lab.request": "sent for lab work",
    "lab.result": "lab result recorded",
    "link.suggest": "suggested for another case",
    "link.accept": "link accepted: joins a case's discovery",
    "link.reject": "link rejected",
    "relation.suggest": "related case suggested (a shared party)",
    "relation.accept": "related case accepted: items naming the party join",
    "relation.reject": "related case rejected",
    "record.correct": "record corrected",
    "inventory.scan": "seen in an inventory",
}
_env.globals.update(role_words=ROLE_WORDS, status_words=STATUS_WORDS, event_words=EVENT_WORDS)
_env.filters["fromjson"] = json.loads


@pass_context
def _when(context: Context, value: Any) -> str:
    """A stored time as the agency reads it: local, to the minute, with its offset."""
    if not value:
        return ""
    return local_minute(str(value), context.get("zone") or UTC_ZONE)


@pass_context
def _day(context: Context, value: Any) -> str:
    """The agency's day of a stored time (a date alone is its own day)."""
    if not value:
        return ""
    text = str(value)
    return text if len(text) == 10 else local_day(text, context.get("zone") or UTC_ZONE)


_env.filters["when"] = _when
_env.filters["day"] = _day


def page(
    request: Request, template: str, asker: Asker | None, status: int = 200, **context: Any
) -> HTMLResponse:
    me = None
    if asker is not None:
        c = asker.caller
        me = {
            "user_id": c.user_id,
            "roles": sorted(c.roles),
            "staff": c.staff,
            "csrf": asker.credential.csrf or "",
            "is": {r: c.has(r) for r in ROLE_WORDS},
            # The use notification acknowledged in this session: the pages may be used.
            "ready": asker.credential.banner_ack,
        }
    zone = request.app.state.brady.led.config.zone
    html = _env.get_template(template).render(request=request, me=me, zone=zone, **context)
    return HTMLResponse(html, status_code=status)


def plain(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)
