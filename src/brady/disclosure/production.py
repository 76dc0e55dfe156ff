"""Building a production: what is handed to defense counsel, as a BagIt bag (RFC 8493).

    PRODUCTION_ID/
      bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt
      verify.html                      a page that checks all of the bag in a browser
                                       (brady.disclosure.verify_page), a tag file: the
                                       tag manifest covers it, the payload stays evidence
      data/production.json            what is in it: units, Bates numbers, case, recipient
      data/evidence/BATES_...          each item's record (JSON), its files, lab results
      data/custody/BATES_ITEM.pdf      each item's chain-of-custody report, and the same
                                       trail as CASE/UCO JSON-LD (.case.jsonld)
      data/ledger/...                  a proof bundle (brady.ledger.bundle): the checkpoint,
                                       every cited entry with its inclusion proof, the key
                                       events, and consistency proofs from the checkpoints
                                       of the case's earlier productions

Counsel checks the files with any BagIt tool (`bagit.py --validate`) and the custody
trail with `brady-verify bundle`, offline, or both in a browser with verify.html. The bag
is identified by the SHA-256 of its tag manifest (which covers the payload manifest, which
covers every file); that hash is recorded on the ledger with the production and must
match counsel's receipt.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import bagit
from sqlalchemy.engine import Connection

from .. import ledger_witnesses
from ..access.produced import Produced, for_production
from ..blobs import kept_bags
from ..blobs.base import Blobs
from ..custody.service import Custody
from ..domain.errors import InvalidInputError, RefusedError
from ..ledger.entry import parse_entry
from ..ledger.keyring import key_events_for
from ..ledger_home import OpenLedger, open_blobs
from ..reports import case_uco, chain_of_custody, render
from ..store import access_queries
from ..store import custody_queries as q
from ..store import disclosure_queries as dq
from ..store.file_queries import case_file_attachment
from ..store.item_steps import with_payloads
from ..store.lab_queries import lab_entries, lab_record
from ..store.ledger_store import key_rows, read_entries
from . import compliance, verify_page
from .desk import Desk, ProducedMeanwhileError

OWED = {"overdue", "due_soon", "pending"}
"""Statuses of what is owed and not yet produced (nor withheld)."""


@dataclass(frozen=True)
class Built:
    production_id: str
    path: Path
    bag_sha256: str
    units: list[dict[str, str]]
    checkpoint_size: int
    seq: int


def bag_hash(bag: Path) -> str:
    """The identity of a bag: SHA-256 of its tag manifest."""
    return hashlib.sha256((bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest()


def next_production_id(conn: Connection, case_id: str) -> str:
    """CASE-P1, CASE-P2, ...: the case's productions in order."""
    return f"{case_id}-P{dq.production_count(conn, case_id) + 1}"


def safe_name(text: str) -> str:
    """A file or folder name made of letters, digits, dot, dash and underscore."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:80] or "file"


@dataclass(frozen=True)
class _Plan:
    """What a production will hold, read and checked before anything is written."""

    view: compliance.Compliance
    chosen: list[str]
    first: int  # units the case has produced before: the Bates numbers continue after them
    earlier: list[int]  # checkpoint sizes of the case's earlier productions, in order


BATES_PREFIX = "[A-Z0-9]{1,20}"


def _check_bates_prefix(bates_prefix: str) -> None:
    """Refuse a prefix that would make Bates numbers awkward to cite or to sort."""
    if not re.fullmatch(BATES_PREFIX, bates_prefix):
        raise InvalidInputError(
            f"Bates prefix {bates_prefix!r} must be 1-20 capital letters or digits", "bates_prefix"
        )


def _plan(
    led: OpenLedger,
    case_id: str,
    production_id: str,
    units: list[str] | None,
    today: date | None,
) -> _Plan:
    """Read what the case owes and has produced, and refuse a production that cannot be
    made, before a single file of the bag is written."""
    with led.engine.connect() as conn:
        view = compliance.compute(conn, case_id, today or datetime.now(UTC).date(), led.config.zone)
        if view is None:
            raise RefusedError(f"there is no case {case_id!r}", "case_id")
        if dq.production_exists(conn, production_id):
            raise RefusedError(f"production {production_id!r} already exists", "production_id")
        known = {u.unit for u in view.units}
        chosen = units if units is not None else [u.unit for u in view.units if u.status in OWED]
        unknown = [u for u in chosen if u not in known]
        if unknown:
            raise RefusedError(f"{unknown[0]} is not part of case {case_id}'s discovery", "units")
        if not chosen:
            raise RefusedError(f"nothing in case {case_id} is waiting to be produced", "units")
        first = dq.produced_unit_count(conn, case_id)
        earlier = dq.checkpoint_sizes(conn, case_id)
    return _Plan(view, chosen, first, earlier)


def _number(chosen: list[str], first: int, bates_prefix: str) -> list[dict[str, str]]:
    """Each unit with its Bates number, continuing the case's earlier productions."""
    return [
        {"unit": u, "bates": f"{bates_prefix}-{first + n:06d}"}
        for n, u in enumerate(chosen, start=1)
    ]


def produce(
    led: OpenLedger,
    by: str,
    case_id: str,
    production_id: str,
    recipient: str,
    out_dir: Path,
    units: list[str] | None = None,
    bates_prefix: str = "BRADY",
    today: date | None = None,
    handed_over: str | None = None,
) -> Built:
    """Build the bag for `units` (default: everything owed and not yet produced) and
    record the production. Nothing is recorded if building the bag fails."""
    _check_bates_prefix(bates_prefix)
    target = out_dir / safe_name(production_id)
    if target.exists():
        raise RefusedError(f"{target} already exists; choose another folder", "out")
    plan = _plan(led, case_id, production_id, units, today)
    numbered = _number(plan.chosen, plan.first, bates_prefix)
    checkpoint = led.store.checkpoint()
    stage = out_dir / f".{safe_name(production_id)}.building"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    try:
        cited = _payload(led, stage, case_id, numbered)
        _bundle(led, stage / "ledger", cited, checkpoint.size, plan.earlier)
        _write_summary(stage, production_id, plan.view, recipient, by, checkpoint.size, numbered)
        _make_bag(stage, led.config.origin, production_id, case_id, recipient, numbered)
        digest = bag_hash(stage)
        with Custody(led).session() as s:
            entry = Desk(s).produce(
                by,
                case_id,
                production_id,
                recipient,
                numbered,
                digest,
                checkpoint.size,
                handed_over,
            )
        stage.rename(target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return Built(production_id, target, digest, numbered, checkpoint.size, entry.seq)


def _write_summary(
    stage: Path,
    production_id: str,
    view: compliance.Compliance,
    recipient: str,
    by: str,
    checkpoint_size: int,
    numbered: list[dict[str, str]],
) -> None:
    """production.json: what is in the bag, in words a reader of the bag needs no
    database to understand (each unit's Bates number and what it is)."""
    what = {u.unit: u.what for u in view.units}
    (stage / "production.json").write_text(
        json.dumps(
            {
                "production_id": production_id,
                "case_id": view.case_id,
                "case_title": view.title,
                "recipient": recipient,
                "produced_by": by,
                "checkpoint_size": checkpoint_size,
                "units": [{**n, "what": what[n["unit"]]} for n in numbered],
            },
            indent=2,
        ),
        encoding="utf-8",
    )


def _make_bag(
    stage: Path,
    origin: str,
    production_id: str,
    case_id: str,
    recipient: str,
    numbered: list[dict[str, str]],
) -> None:
    """Turn the staged folder into a BagIt bag, its bag-info naming the production, with
    verify.html beside data/: a tag file, so the Bates-numbered payload holds only what is
    produced, and counsel sees the page on opening the folder."""
    bag = bagit.make_bag(
        str(stage),
        {
            "Source-Organization": origin,
            "External-Identifier": production_id,
            "External-Description": f"Disclosure in {case_id} to {recipient}",
            "Bag-Group-Identifier": case_id,
            "Bates-Range": f"{numbered[0]['bates']} to {numbered[-1]['bates']}",
        },
        checksums=["sha256"],
    )
    verify_page.write(stage)
    bag.save()  # the tag manifest now covers verify.html


def _payload(
    led: OpenLedger,
    stage: Path,
    case_id: str,
    numbered: list[dict[str, str]],
) -> set[int]:
    """Write the evidence and custody reports; returns the ledger entries they cite."""
    evidence, custody = stage / "evidence", stage / "custody"
    evidence.mkdir()
    custody.mkdir()
    blobs = open_blobs(led.config)
    cited: set[int] = set()
    with led.engine.connect() as conn:
        earlier = access_queries.produced(conn, [case_id]).units
        shown = for_production(case_id, earlier, [n["unit"] for n in numbered])
        for n in numbered:
            kind, _, ident = n["unit"].partition(":")
            bates = n["bates"]
            if kind == "item":
                cited |= _write_item(conn, evidence, shown, ident, bates)
                _write_custody(led, custody, shown, ident, bates)
            elif kind == "file":
                cited.add(_write_file(conn, blobs, evidence, case_id, ident, bates))
            else:
                cited |= _write_lab(conn, evidence, ident, bates)
    return cited


def _write_item(
    conn: Connection, evidence: Path, shown: Produced, ident: str, bates: str
) -> set[int]:
    """The item's record and history as counsel may see them; returns the entries shown."""
    found = q.item_view(conn, ident)
    assert found is not None  # compliance listed it
    view = shown.item(found)
    steps = with_payloads(conn, q.item_history(conn, ident))
    history = shown.history(ident, steps)
    (evidence / f"{bates}_{safe_name(ident)}.json").write_text(
        json.dumps({"item": view, "history": history}, indent=2, default=str),
        encoding="utf-8",
    )
    return {int(h["seq"]) for h in history}


def _write_custody(led: OpenLedger, custody: Path, shown: Produced, ident: str, bates: str) -> None:
    """The item's chain-of-custody report as counsel may see it: a PDF to read and the
    same trail as CASE/UCO JSON-LD for forensic tools. Every page of the PDF carries the
    item's Bates number, so a page printed or filed alone still cites its production."""
    report = chain_of_custody.build(led, ident, shown, bates=bates)
    if report is None:
        return
    html = render.html("chain_of_custody.html.j2", **report)
    name = f"{bates}_{safe_name(ident)}"
    (custody / f"{name}.pdf").write_bytes(render.pdf(html))
    graph = case_uco.item_graph(report, led.config.origin)
    (custody / f"{name}.case.jsonld").write_text(json.dumps(graph, indent=2), encoding="utf-8")


def _write_file(
    conn: Connection, blobs: Blobs, evidence: Path, case_id: str, sha256: str, bates: str
) -> int:
    """A copy of the attached file, under the name it was attached with; returns the
    entry that attached it (to the first of the case's items that holds it)."""
    name, seq = case_file_attachment(conn, case_id, sha256)
    blobs.copy_out(sha256, evidence / f"{bates}_{safe_name(name)}")
    return seq


def _write_lab(conn: Connection, evidence: Path, request_id: str, bates: str) -> set[int]:
    """The lab request and its result as JSON; returns the lab entries of its first item."""
    record = lab_record(conn, request_id)
    seqs = lab_entries(conn, record["item_ids"][0])
    (evidence / f"{bates}_lab_{safe_name(request_id)}.json").write_text(
        json.dumps(record, indent=2), encoding="utf-8"
    )
    return seqs


def _bundle(led: OpenLedger, folder: Path, cited: set[int], size: int, earlier: list[int]) -> None:
    store = led.store
    # Offered to the witnesses now, outside any write (a witness that is down only costs its
    # timeout): the production carries the checkpoint with every cosignature kept for it.
    ledger_witnesses.offer(led, size)
    note = ledger_witnesses.cosigned_note(led, size)
    (folder / "entries").mkdir(parents=True)
    (folder / "keys").mkdir()
    (folder / "checkpoint").write_text(note, encoding="utf-8")
    (folder / "log.vkey").write_text(led.config.log_vkey + "\n", encoding="utf-8")
    shown = sorted(s for s in cited if s < size)
    with led.engine.connect() as conn:
        keys = [parse_entry(bytes(raw), seq) for seq, _, raw in key_rows(conn, size)]
        signers = {parse_entry(raw, seq).key_id for seq, raw in read_entries(conn, shown).items()}
    key_seqs = key_events_for(keys, signers | {k.key_id for k in keys if k.seq in cited})
    for where, seqs in (("keys", key_seqs), ("entries", shown)):
        for seq in seqs:
            (folder / where / f"{seq}.entry").write_bytes(store.entry(seq))
            proof = replace(store.inclusion_proof_file(seq, size), checkpoint_note=note)
            (folder / where / f"{seq}.proof").write_text(proof.text(), encoding="utf-8")
    if earlier:
        (folder / "consistency").mkdir()
    for old in earlier:  # as the log signed it: the earlier bag's cosignatures may differ
        (folder / "consistency" / f"{old}.checkpoint").write_text(
            store.checkpoint(old).note, encoding="utf-8"
        )
        hashes = store.consistency_proof(old, size)
        (folder / "consistency" / f"{old}.proof").write_text(
            "".join(f"{base64.b64encode(h).decode()}\n" for h in hashes), encoding="ascii"
        )


MAKE_AGAIN = 3
"""Times a production the server numbers itself is made again when another production of
the case (on this server or another) was recorded while it was being built."""


def produce_for_download(
    led: OpenLedger,
    by: str,
    case_id: str,
    recipient: str,
    folder: Path,
    units: list[str] | None = None,
    bates_prefix: str = "BRADY",
) -> Built:
    """A production the server keeps for counsel to download: the next id of the case, the
    bag in `folder`, and beside it the same bag as a zip (what the download serves)."""
    folder.mkdir(parents=True, exist_ok=True)
    for attempt in range(MAKE_AGAIN + 1):
        with led.engine.connect() as conn:
            production_id = next_production_id(conn, case_id)
        try:
            built = produce(led, by, case_id, production_id, recipient, folder, units, bates_prefix)
            break
        except ProducedMeanwhileError:
            if attempt == MAKE_AGAIN:
                raise  # still racing after several tries: the caller is told to try again
    shutil.make_archive(
        str(built.path), "zip", root_dir=built.path.parent, base_dir=built.path.name
    )
    kept_bags.share(open_blobs(led.config), built.path)  # for the ledger's other servers
    return built


def kept_zip(folder: Path, production_id: str) -> Path:
    return folder / f"{safe_name(production_id)}.zip"


def zip_here(led: OpenLedger, folder: Path, production_id: str) -> Path:
    """The kept zip of a production on this server; one that did not build it makes it
    from the evidence-file store first (kept_bags.py). It may still not exist: a production
    recorded by an import, or built on another server before bags were shared."""
    path = kept_zip(folder, production_id)
    if not path.is_file():
        with led.engine.connect() as conn:
            found = dq.production_case_and_bag(conn, production_id)
        if found is not None:
            kept_bags.restore(open_blobs(led.config), found[1], safe_name(production_id), path)
    return path
