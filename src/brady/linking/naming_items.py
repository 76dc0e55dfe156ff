"""Items that name a person: when a prosecutor adds a party to a case, the items already
in custody that name them are looked at again (`custody.link_review`)."""

from __future__ import annotations

import json
import re

from sqlalchemy.engine import Connection

from ..store.raw_sql import fetch_all
from .candidates import COMMON
from .names import Agreement, agreement

_PAGE = re.compile(r" \(page \d+ of .*\)$")
"""How a document's mention says where it was read (index.page_mentions)."""


def items_naming_person(conn: Connection, person_id: str) -> list[str]:
    """Items whose text names the person under any of their name variants, one slip away
    from one, or as a scanner or the ear would write it (checked name by name)."""
    rows = fetch_all(
        conn,
        "SELECT DISTINCT m1.owner_id FROM mention_index m2 "
        "JOIN mention_index m1 ON m1.kind = 'person' AND m1.key = m2.key "
        "AND m1.owner_kind = 'item' "
        "JOIN item i ON i.item_id = m1.owner_id AND i.status <> 'disposed' "
        "WHERE m2.owner_kind = 'person' AND m2.owner_id = ? "
        "AND m2.kind IN ('person', 'name_slip') ORDER BY m1.owner_id",
        (person_id,),
    )
    found = {str(r[0]) for r in rows}
    person = fetch_all(conn, "SELECT name, aliases FROM person WHERE person_id = ?", (person_id,))
    if person:
        name, aliases = str(person[0][0]), json.loads(person[0][1])
        shaped = fetch_all(
            conn,
            "SELECT m1.owner_id, m1.text FROM mention_index m2 "
            "JOIN mention_index m1 ON m1.kind = m2.kind || '~' AND m1.key = m2.key "
            "AND m1.owner_kind = 'item' "
            "JOIN item i ON i.item_id = m1.owner_id AND i.status <> 'disposed' "
            "WHERE m2.owner_kind = 'person' AND m2.owner_id = ? "
            "AND m2.kind IN ('name_ocr', 'name_sound') LIMIT ?",
            (person_id, COMMON + 1),
        )
        if len(shaped) <= COMMON:
            found |= {
                str(item)
                for item, text in shaped
                if agreement(_PAGE.sub("", str(text)), name, aliases) >= Agreement.CLOSE
            }
    return sorted(found)
