"""Fixing the access log's chain head on the ledger, and checking the log against it."""

from __future__ import annotations

from ..custody.service import Custody
from ..domain.vocabulary import UserRole
from ..ledger.entry import Entry, parse_entry
from ..ledger_home import OpenLedger
from ..store import access_log
from ..store.engine import reading

ANCHOR = "access.anchor"


def anchors(led: OpenLedger) -> list[tuple[int, str, int]]:
    """(size, head, ledger position) of every anchor, in ledger order."""
    with reading(led.engine) as conn:
        rows = access_log.anchor_entries(conn, ANCHOR)
    return _anchored(rows)


def _anchored(rows: list[tuple[int, bytes]]) -> list[tuple[int, str, int]]:
    out = []
    for seq, raw in rows:
        entry = parse_entry(raw, seq)
        if entry.kind != ANCHOR:
            continue  # its kind column was changed: `brady verify` reports that entry
        out.append((int(entry.payload["size"]), str(entry.payload["head"]), seq))
    return out


def anchor(custody: Custody, by: str) -> Entry | None:
    """Record the log's head now; None if nothing was logged since the last anchor."""
    with custody.session() as s:
        head = access_log.head(s.conn)  # read under the ledger's write lock
        if head is None:
            return None
        last = access_log.anchor_entries(s.conn, ANCHOR, last=True)
        fixed = _anchored(last)
        if fixed and fixed[-1][0] >= head[0]:
            return None
        s.require_role(by, (UserRole.AUDITOR, UserRole.ADMIN), "anchor the access log")
        return s.record(by, ANCHOR, {"size": head[0], "head": head[1]}, ["access-log"])


def verify_access(led: OpenLedger) -> access_log.Verdict:
    fixed = anchors(led)
    with reading(led.engine) as conn:
        return access_log.verify(conn, fixed)


SYSTEM_AUDITOR = "brady-access-log"


def anchor_as_system(custody: Custody) -> Entry | None:
    """The server's own periodic anchor, signed by Brady's access-log service user."""
    with custody.session() as s:
        if s.user(SYSTEM_AUDITOR) is None:
            s.add_user(None, SYSTEM_AUDITOR, "Brady access log service", [UserRole.AUDITOR])
    return anchor(custody, SYSTEM_AUDITOR)
