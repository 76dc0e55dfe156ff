"""Disclosure as the record has it: rule sets, withholdings, productions and receipts,
and what the compliance view and the case timeline read to compute what is owed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from .raw_sql import fetch_all

# -- rule sets, flags, withholdings ---------------------------------------------------------


def rule_set_adopted(conn: Connection, rule_set_id: str) -> bool:
    return bool(fetch_all(conn, "SELECT body FROM rule_set WHERE rule_set_id = ?", (rule_set_id,)))


def case_rules(conn: Connection, case_id: str) -> tuple[str, bool | None, str | None] | None:
    """(rule set chosen, whether the defendant is in custody, the rule set's body as JSON
    when it is adopted) for the case, or None when none is chosen."""
    rows = fetch_all(
        conn,
        "SELECT r.rule_set_id, r.in_custody, s.body FROM case_rules r "
        "LEFT JOIN rule_set s ON s.rule_set_id = r.rule_set_id WHERE r.case_id = ?",
        (case_id,),
    )
    return rows[0] if rows else None


_TRIGGERS = {
    "arraignment": "SELECT min(arraigned_on) FROM defendant WHERE case_id = ?",
    "charge": "SELECT min(charged_on) FROM defendant WHERE case_id = ?",
    "request": "SELECT min(requested_at) FROM disclosure_request WHERE case_id = ?",
}


def first_trigger(conn: Connection, case_id: str, trigger: str) -> str | None:
    """When the case first saw its disclosure clock's trigger: the first arraignment, the
    first charge, or (any other trigger) the defense's first request; None: not yet."""
    rows = fetch_all(conn, _TRIGGERS.get(trigger, _TRIGGERS["request"]), (case_id,))
    return rows[0][0] if rows and rows[0][0] else None


def flags(conn: Connection, case_id: str) -> list[tuple[str, bool, bool]]:
    """(unit, exculpatory, impeachment) as the prosecutor marked them."""
    return fetch_all(
        conn,
        "SELECT unit, exculpatory, impeachment FROM disclosure_flag WHERE case_id = ?",
        (case_id,),
    )


def withholdings(conn: Connection, case_id: str) -> list[tuple[str, str, str, str | None]]:
    """(unit, reason, court order, approving prosecutor or None) of each withholding."""
    return fetch_all(
        conn,
        "SELECT unit, reason, order_ref, approved_by FROM withholding WHERE case_id = ?",
        (case_id,),
    )


def withholding(conn: Connection, case_id: str, unit: str) -> tuple[str, str | None] | None:
    """(who asked to withhold the unit, who approved it or None), or None if nobody asked."""
    rows = fetch_all(
        conn,
        "SELECT requested_by, approved_by FROM withholding WHERE case_id = ? AND unit = ?",
        (case_id, unit),
    )
    return rows[0] if rows else None


# -- productions and receipts ----------------------------------------------------------------


def production_exists(conn: Connection, production_id: str) -> bool:
    return bool(
        fetch_all(conn, "SELECT 1 FROM production WHERE production_id = ?", (production_id,))
    )


def production_case(conn: Connection, production_id: str) -> str | None:
    """The case of the production (None: there is no such production)."""
    rows = fetch_all(
        conn, "SELECT case_id FROM production WHERE production_id = ?", (production_id,)
    )
    return str(rows[0][0]) if rows else None


def production_case_and_bag(conn: Connection, production_id: str) -> tuple[str, str] | None:
    """(case, SHA-256 of the bag produced), or None."""
    rows = fetch_all(
        conn,
        "SELECT case_id, bag_sha256 FROM production WHERE production_id = ?",
        (production_id,),
    )
    return rows[0] if rows else None


def is_received(conn: Connection, production_id: str) -> bool:
    return bool(fetch_all(conn, "SELECT 1 FROM receipt WHERE production_id = ?", (production_id,)))


def is_produced(conn: Connection, case_id: str, unit: str) -> bool:
    return bool(
        fetch_all(
            conn,
            "SELECT 1 FROM production_unit WHERE case_id = ? AND unit = ?",
            (case_id, unit),
        )
    )


def production_count(conn: Connection, case_id: str) -> int:
    rows = fetch_all(conn, "SELECT count(*) FROM production WHERE case_id = ?", (case_id,))
    return int(rows[0][0])


def produced_unit_count(conn: Connection, case_id: str) -> int:
    """Units the case has produced so far (the Bates numbers continue after them)."""
    rows = fetch_all(conn, "SELECT count(*) FROM production_unit WHERE case_id = ?", (case_id,))
    return int(rows[0][0])


def checkpoint_sizes(conn: Connection, case_id: str) -> list[int]:
    """The checkpoint size of each of the case's productions, in order."""
    rows = fetch_all(
        conn, "SELECT checkpoint_size FROM production WHERE case_id = ? ORDER BY seq", (case_id,)
    )
    return [int(size) for (size,) in rows]


_PROD_COLUMNS = ("production_id", "produced_at", "produced_by", "recipient", "bag_sha256")


def productions(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """The case's productions with their receipts (received_at and received_by, or None)
    and their units (unit and bates), oldest first."""
    rows = fetch_all(
        conn,
        f"SELECT {', '.join('p.' + c for c in _PROD_COLUMNS)}, r.received_at, r.received_by "
        "FROM production p LEFT JOIN receipt r ON r.production_id = p.production_id "
        "WHERE p.case_id = ? ORDER BY p.produced_at",
        (case_id,),
    )
    units = fetch_all(
        conn,
        "SELECT production_id, unit, bates FROM production_unit WHERE case_id = ? ORDER BY bates",
        (case_id,),
    )
    out = []
    for r in rows:
        p = dict(zip((*_PROD_COLUMNS, "received_at", "received_by"), r, strict=True))
        p["units"] = [{"unit": u, "bates": bt} for pid, u, bt in units if pid == p["production_id"]]
        out.append(p)
    return out


def production_rows(
    conn: Connection, case_id: str
) -> list[tuple[str, str, str, str, str | None, str | None]]:
    """(production, produced at, recipient, bag SHA-256, received at, received by) of the
    case's productions, oldest first."""
    return fetch_all(
        conn,
        "SELECT p.production_id, p.produced_at, p.recipient, p.bag_sha256, r.received_at, "
        "r.received_by FROM production p LEFT JOIN receipt r ON r.production_id = "
        "p.production_id WHERE p.case_id = ? ORDER BY p.produced_at",
        (case_id,),
    )


def produced_units(conn: Connection, case_id: str) -> list[tuple[str, str, str, str, str | None]]:
    """(unit, produced at, production, Bates number, received at) of every unit the case
    produced, earliest production first."""
    return fetch_all(
        conn,
        "SELECT pu.unit, p.produced_at, p.production_id, pu.bates, r.received_at "
        "FROM production_unit pu JOIN production p ON p.production_id = pu.production_id "
        "LEFT JOIN receipt r ON r.production_id = p.production_id "
        "WHERE pu.case_id = ? ORDER BY p.produced_at, p.production_id",
        (case_id,),
    )


def unreceived(conn: Connection, case_id: str) -> list[str]:
    """The case's productions defense counsel has not acknowledged, by id."""
    rows = fetch_all(
        conn,
        "SELECT p.production_id FROM production p LEFT JOIN receipt r "
        "ON r.production_id = p.production_id WHERE p.case_id = ? AND r.production_id IS NULL "
        "ORDER BY p.production_id",
        (case_id,),
    )
    return [pid for (pid,) in rows]


def production_dates(conn: Connection, case_id: str) -> list[tuple[str, str, str | None]]:
    """(production, produced at, received at or None) of the case's productions, in order."""
    return fetch_all(
        conn,
        "SELECT p.production_id, p.produced_at, r.received_at FROM production p "
        "LEFT JOIN receipt r ON r.production_id = p.production_id WHERE p.case_id = ? "
        "ORDER BY p.produced_at",
        (case_id,),
    )


# -- what the case holds and where it stands ------------------------------------------------


def case_status(conn: Connection, case_id: str) -> tuple[str, str] | None:
    """(title, status) of the case, or None when there is no such case."""
    rows = fetch_all(conn, "SELECT title, status FROM case_file WHERE case_id = ?", (case_id,))
    return rows[0] if rows else None


def is_charged(conn: Connection, case_id: str) -> bool:
    return bool(fetch_all(conn, "SELECT 1 FROM defendant WHERE case_id = ?", (case_id,)))


def items_obtained(conn: Connection, case_id: str) -> list[tuple[str, str, str, int]]:
    """(item, description, when taken in, intake entry) of every item filed under the
    case, by id."""
    return fetch_all(
        conn,
        "SELECT i.item_id, i.description, e.occurred_at, e.seq FROM item_case ic "
        "JOIN item i ON i.item_id = ic.item_id "
        "JOIN item_event e ON e.item_id = i.item_id AND e.seq = i.intake_seq "
        "WHERE ic.case_id = ? ORDER BY i.item_id",
        (case_id,),
    )


def checked_out(conn: Connection, case_id: str) -> list[tuple[str, str | None, str | None]]:
    """(item, checked out to, due back) of the case's items out of the property room."""
    return fetch_all(
        conn,
        "SELECT i.item_id, i.checkout_to, i.due_back FROM item i "
        "JOIN item_case ic ON ic.item_id = i.item_id "
        "WHERE ic.case_id = ? AND i.status = 'checked_out' ORDER BY i.item_id",
        (case_id,),
    )


def case_dates(conn: Connection, case_id: str) -> list[tuple[str, str | None]]:
    """(opened at, closed at or None) of the case (no row: no such case)."""
    return fetch_all(
        conn, "SELECT opened_at, closed_at FROM case_file WHERE case_id = ?", (case_id,)
    )


def defendant_dates(conn: Connection, case_id: str) -> list[tuple[str, str, str | None]]:
    """(name, charged on, arraigned on or None) of each defendant of the case."""
    return fetch_all(
        conn,
        "SELECT p.name, d.charged_on, d.arraigned_on FROM defendant d "
        "JOIN person p ON p.person_id = d.person_id WHERE d.case_id = ?",
        (case_id,),
    )


_RECEIPT_COLUMNS = ("received_at", "received_by", "received_sha256")


def production(conn: Connection, production_id: str) -> dict[str, Any] | None:
    """One production as the record has it (its case, when and to whom, the bag's SHA-256,
    its receipt or None, and its units with their Bates numbers in order); None: no such
    production."""
    rows = fetch_all(
        conn,
        f"SELECT {', '.join('p.' + c for c in _PROD_COLUMNS)}, p.case_id, p.seq, "
        "p.checkpoint_size, r.received_at, r.received_by, r.bag_sha256 FROM production p "
        "LEFT JOIN receipt r ON r.production_id = p.production_id WHERE p.production_id = ?",
        (production_id,),
    )
    if not rows:
        return None
    names = (*_PROD_COLUMNS, "case_id", "seq", "checkpoint_size", *_RECEIPT_COLUMNS)
    found = dict(zip(names, rows[0], strict=True))
    found["units"] = [
        {"unit": str(u), "bates": str(bt)}
        for u, bt in fetch_all(
            conn,
            "SELECT unit, bates FROM production_unit WHERE production_id = ? ORDER BY bates",
            (production_id,),
        )
    ]
    return found


def produced_before(conn: Connection, case_id: str, seq: int) -> dict[str, str]:
    """unit -> the first of the case's productions recorded before entry `seq` that held
    it: what a production at `seq` gives again rather than for the first time."""
    rows = fetch_all(
        conn,
        "SELECT pu.unit, p.production_id FROM production_unit pu "
        "JOIN production p ON p.production_id = pu.production_id "
        "WHERE pu.case_id = ? AND p.seq < ? ORDER BY p.seq DESC",
        (case_id, seq),
    )
    return {str(u): str(pid) for u, pid in rows}
