"""Loading a scenario or a legacy property-room export through the ordinary commands.

Every record goes through the same service as a clerk's command, so the same
rules apply and every event is signed by the user it names. The whole file is
one transaction: it is recorded completely, or (on the first refused record,
named with its position and field) not at all. See docs/import-format.md.

A production made before the record was kept in Brady is imported with the bag that was
handed over: Brady checks the bag (BagIt) and records its SHA-256, as `brady disclosure
produce` records the bag it builds; counsel's receipt must name the same bag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit
import yaml

from ..custody.service import Custody, Session
from ..disclosure.desk import Desk
from ..disclosure.production import BATES_PREFIX, bag_hash
from ..domain.errors import RefusedError
from ..ledger.entry import Entry
from ..ledger.errors import LedgerError
from ..store import disclosure_queries as dq
from ..store.planner_stats import after_bulk_load

FORMAT = 1

FOLDER = "_folder"
"""Set by `load_file`: the folder the file was read from, where a record's relative paths
(a production's bag) are read. Without it, they are read from the working directory."""


class ImportRefusedError(RefusedError):
    """A record of the import file is malformed or refused; nothing was recorded."""


@dataclass
class ImportReport:
    records: int = 0
    entries: int = 0
    items: int = 0


def load_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ImportRefusedError(
            f"{path.name} is not valid {path.suffix[1:].upper() or 'YAML'}: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise ImportRefusedError(f"{path.name} must hold a mapping with brady_import: {FORMAT}")
    data[FOLDER] = str(path.resolve().parent)
    return data


def _take(record: dict[str, Any], where: str, *names: str) -> list[Any]:
    missing = [n for n in names if n not in record]
    if missing:
        raise ImportRefusedError(f"{where}: missing {', '.join(missing)}", missing[0])
    return [record.pop(n) for n in names]


Action = Callable[[Session, str, dict[str, Any]], Any]

# The actions of a record alone. A production and a receipt also read a bag from disk:
# they are `_Bags.actions`, added for each import.
ACTIONS: dict[str, Action] = {
    "case.open": lambda s, by, r: s.open_case(by, **r),
    "case.party": lambda s, by, r: s.add_party(by, **r),
    "case.charge": lambda s, by, r: s.charge(by, **r),
    "case.arraign": lambda s, by, r: s.arraign(by, **r),
    "case.close": lambda s, by, r: s.close_case(by, **r),
    "case.add_number": lambda s, by, r: s.add_case_number(by, **r),
    "item.intake": lambda s, by, r: s.intake(by, **r),
    "item.transfer": lambda s, by, r: s.transfer(by, **r),
    "item.receive": lambda s, by, r: s.receive(by, **r),
    "item.transfer_cancel": lambda s, by, r: s.cancel_transfer(by, **r),
    "item.disposition_withdraw": lambda s, by, r: s.withdraw_disposition(by, **r),
    "item.checkout": lambda s, by, r: s.checkout(by, **r),
    "item.checkin": lambda s, by, r: s.checkin(by, **r),
    "item.move": lambda s, by, r: s.move(by, **r),
    "item.split": lambda s, by, r: s.split(by, **r),
    "item.file_case": lambda s, by, r: s.file_case(by, **r),
    "item.disposition_request": lambda s, by, r: s.request_disposition(by, **r),
    "item.disposition_approve": lambda s, by, r: s.approve_disposition(by, **r),
    "item.disposition": lambda s, by, r: s.dispose(by, **r),
    "lab.request": lambda s, by, r: s.lab_request(by, **r),
    "lab.result": lambda s, by, r: s.lab_result(by, **r),
    "person.add": lambda s, by, r: s.add_person(by, **r),
    "location.add": lambda s, by, r: s.add_location(by, **r),
    "linking.patterns": lambda s, by, r: s.set_linking_patterns(by, **r),
    "link.accept": lambda s, by, r: s.accept_link(by, **r),
    "link.reject": lambda s, by, r: s.reject_link(by, **r),
    "disclosure.adopt": lambda s, by, r: _desk(s).adopt_rules(by, **_timeless(r)),
    "disclosure.rules": lambda s, by, r: _desk(s).case_rules(by, **_timeless(r)),
    "disclosure.request": lambda s, by, r: _desk(s).request(by, **r),
    "disclosure.flag": lambda s, by, r: _desk(s).flag(by, **_timeless(r)),
    "disclosure.withhold": lambda s, by, r: _desk(s).withhold(by, **_timeless(r)),
    "disclosure.approve_withholding": lambda s, by, r: _desk(s).approve_withholding(
        by, **_timeless(r)
    ),
}


def _timeless(record: dict[str, Any]) -> dict[str, Any]:
    """Settings and decisions take effect when recorded; an `at` says nothing for them."""
    return {k: v for k, v in record.items() if k != "occurred_at"}


def _desk(s: Session) -> Desk:
    return Desk(s)


@dataclass(frozen=True)
class _Bags:
    """Productions and receipts, which name a bag on disk beside the import file."""

    folder: Path
    checkpoint_size: int
    """The size of the record when the import began, its last signed checkpoint: a bag made
    outside Brady cites no checkpoint, and a later production proves the ledger only grew
    since this one."""

    def actions(self) -> dict[str, Action]:
        return {"disclosure.produce": self.produce, "disclosure.receipt": self.receipt}

    def produce(self, s: Session, by: str, record: dict[str, Any]) -> Entry:
        """A production handed over (`at`): its units, numbered with Bates numbers that
        continue the case's earlier productions, and the bag that held them."""
        for field in ("bag_sha256", "checkpoint_size"):
            if field in record:
                raise RefusedError(
                    "give the bag itself (bag: FOLDER); Brady checks it and computes its SHA-256",
                    field,
                )
        units = record.pop("units", None)
        if not units or not isinstance(units, list) or not all(isinstance(u, str) for u in units):
            raise RefusedError(
                "units must be a list of what was produced, e.g. [item:RUST-REVOLVER, "
                "lab:FBI-RUST-1]",
                "units",
            )
        prefix = record.pop("bates_prefix", "BRADY")
        if not isinstance(prefix, str) or not re.fullmatch(BATES_PREFIX, prefix):
            raise RefusedError(
                f"Bates prefix {prefix!r} must be 1-20 capital letters or digits", "bates_prefix"
            )
        digest = self._bag(record.pop("bag", None), "the bag handed to counsel")
        first = dq.produced_unit_count(s.conn, str(record.get("case_id", "")))
        numbered = [
            {"unit": u, "bates": f"{prefix}-{first + n:06d}"} for n, u in enumerate(units, start=1)
        ]
        return Desk(s).produce(
            by,
            units=numbered,
            bag_sha256=digest,
            checkpoint_size=self.checkpoint_size,
            **record,
        )

    def receipt(self, s: Session, by: str, record: dict[str, Any]) -> Entry:
        """Counsel received a production (`at`): the bag they hold, or its SHA-256."""
        bag, given = record.pop("bag", None), record.pop("bag_sha256", None)
        if (bag is None) == (given is None):
            raise RefusedError(
                "give either bag (the folder counsel received) or bag_sha256 (the SHA-256 of "
                "its tagmanifest-sha256.txt, as counsel computed it)",
                "bag",
            )
        digest = self._bag(bag, "the bag counsel received") if bag is not None else given
        return Desk(s).receipt(by, bag_sha256=str(digest).strip().lower(), **record)

    def _bag(self, named: object, what: str) -> str:
        """The SHA-256 that identifies the bag at `named`, once it checks out as BagIt."""
        if not isinstance(named, str) or not named.strip():
            raise RefusedError(f"bag must name the folder of {what} (a BagIt bag)", "bag")
        path = self.folder / named  # an absolute path stays as it is
        if not path.is_dir():
            raise RefusedError(f"there is no folder {path} ({what})", "bag")
        if not (path / "tagmanifest-sha256.txt").is_file():
            raise RefusedError(
                f"{path} has no tagmanifest-sha256.txt: a production is known by that file's "
                "SHA-256, so the bag must be made with SHA-256 checksums",
                "bag",
            )
        try:
            bagit.Bag(str(path)).validate()
        except bagit.BagError as exc:
            raise RefusedError(f"{path} is not a valid BagIt bag: {exc}", "bag") from exc
        return bag_hash(path)


def run_import(custody: Custody, data: dict[str, Any], operator: str) -> ImportReport:
    """Apply an import; `operator` (an admin) adds the users, places and people it lists."""
    if data.get("brady_import") != FORMAT:
        raise ImportRefusedError(f"the file must start with brady_import: {FORMAT}", "brady_import")
    report = ImportReport()
    start = custody.led.store.size()
    folder = Path(str(data.get(FOLDER) or "."))
    with custody.session() as s:
        actions = ACTIONS | _Bags(folder, s.w.size).actions()
        for i, rec in enumerate(_records(data, "agencies")):
            _apply(f"agencies[{i}]", lambda r: s.add_agency(operator, **r), rec)
        for i, rec in enumerate(_records(data, "users")):
            _apply(f"users[{i}]", lambda r: s.add_user(operator, **r), rec)
        for i, rec in enumerate(_records(data, "locations")):
            _apply(f"locations[{i}]", lambda r: s.add_location(operator, **r), rec)
        for i, rec in enumerate(_records(data, "persons")):
            _apply(f"persons[{i}]", lambda r: s.add_person(operator, **r), rec)
        for i, rec in enumerate(_records(data, "organizations")):
            _apply(f"organizations[{i}]", lambda r: s.add_organization(operator, **r), rec)
        for i, rec in enumerate(_records(data, "events")):
            report.items += _event(s, f"events[{i}]", rec, actions)
            report.records += 1
    report.entries = custody.led.store.size() - start
    after_bulk_load(custody.led.engine)
    return report


def _records(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise ImportRefusedError(f"{key} must be a list of records", key)
    return [dict(r) for r in value]


def _apply(where: str, action: Callable[[dict[str, Any]], Any], record: dict[str, Any]) -> Any:
    try:
        return action(record)
    except RefusedError as exc:
        field = f" (field {exc.field})" if exc.field else ""
        raise ImportRefusedError(f"{where}{field}: {exc}", exc.field) from exc
    except TypeError as exc:
        # An unexpected or missing key in the record.
        raise ImportRefusedError(f"{where}: {_plain(exc)}") from exc
    except (AttributeError, ValueError, LedgerError) as exc:
        # A value of the wrong shape (a string where a list belongs, ...) or too large.
        raise ImportRefusedError(f"{where}: {exc}") from exc


def _plain(exc: TypeError) -> str:
    """Python's words for a bad keyword, in a clerk's words for a bad field."""
    text = str(exc)
    unexpected = re.search(r"unexpected keyword argument '(\w+)'", text)
    if unexpected:
        return f"unknown field {unexpected.group(1)!r}"
    missing = re.findall(r"'(\w+)'", text) if "missing" in text else []
    if missing:
        return "missing field " + ", ".join(repr(m) for m in missing)
    return text


def _event(s: Session, where: str, record: dict[str, Any], actions: dict[str, Action]) -> int:
    source = record.pop("_source", None)  # where the record came from, e.g. a CSV line
    if source:
        where = f"{where} ({source})"
    kind, by = _take(record, where, "do", "by")
    action = actions.get(kind)
    if action is None:
        raise ImportRefusedError(
            f"{where}: unknown action {kind!r}; one of {', '.join(sorted(actions))}", "do"
        )
    if "at" in record:
        record["occurred_at"] = record.pop("at")
    where = f"{where} ({kind})"
    count = record.pop("count", 1)
    if count != 1 and kind != "item.intake":
        raise ImportRefusedError(f"{where}: count is only for item.intake", "count")
    if not isinstance(count, int) or count < 1:
        raise ImportRefusedError(f"{where}: count must be a whole number of at least 1", "count")
    if count > 1 and not record.get("description"):
        raise ImportRefusedError(f"{where}: a counted intake needs a description", "description")
    for k in range(count):
        one = dict(record)
        if count > 1:
            one["description"] = f"{record.get('description', '')} ({k + 1} of {count})"
            if "item_id" in record:
                one["item_id"] = f"{record['item_id']}-{k + 1:03d}"
        _apply(where, lambda r: action(s, by, r), one)
    return count if kind == "item.intake" else 0
