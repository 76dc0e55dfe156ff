"""The Rust scenario, disclosed: on the day of the dismissal the State had produced what the
case held, and only Teske's rounds, unreviewed under another case number, were outstanding;
the certificate for State v. Baldwin is refused until they are linked, produced and
received; produced after the due date, they are marked late."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import _load_rust, load_rust
from brady.custody.files import attach
from brady.custody.service import Custody
from brady.disclosure import compliance
from brady.disclosure.desk import Desk
from brady.disclosure.production import produce
from brady.domain.errors import RefusedError
from brady.ledger.cli import run as verify_cli
from brady.ledger_home import OpenLedger
from brady.store import as_of
from brady.store.raw_sql import fetch_all

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "rust" / "scenario.yaml"
TESKE = "SF24-0306-01"
TODAY = date(2024, 7, 12)  # the day the case was dismissed


def view(custody: Custody, case_id: str = "state-v-baldwin") -> compliance.Compliance:
    with custody.led.engine.connect() as conn:
        out = compliance.compute(conn, case_id, TODAY)
    assert out is not None
    return out


PRODUCING = {"disclosure.produce", "disclosure.receipt"}


@pytest.fixture
def rust(ledger: OpenLedger) -> Custody:
    """The record as it stood before the trial, NM rules adopted, without the State's
    production to the defense and its receipt: each test makes its own productions."""
    custody = Custody(ledger)
    bootstrap_admin(custody)
    load_rust(custody, lambda e: e["do"] not in PRODUCING)
    return custody


def test_on_the_day_of_the_dismissal_only_teskes_rounds_were_outstanding(
    ledger: OpenLedger,
) -> None:
    """The demo's record: everything the case held was produced before the trial and
    received; what blocked the certificate was the rounds nobody had reviewed."""
    custody = Custody(ledger)
    bootstrap_admin(custody)
    told = _load_rust(custody)
    dismissal = view(custody)
    assert dismissal.units and f"item:{TESKE}" not in {u.unit for u in dismissal.units}
    for u in dismissal.units:
        assert (u.status, u.production_id) == ("disclosed", "state-v-baldwin-P1"), u
        assert (u.produced, u.received) == ("2024-02-09", "2024-02-12"), u
    assert {u.unit for u in dismissal.units} >= {
        "item:RUST-REVOLVER",
        "item:RUST-CASING",
        "item:RUST-PROJECTILE",
        "item:RUST-LIVE-001",
        "item:RUST-LIVE-002",
        "lab:FBI-RUST-1",
    }
    (blocker,) = dismissal.blockers
    assert TESKE in blocker and "not reviewed" in blocker
    assert not dismissal.certifiable
    # By when things happened, the day of the dismissal says the same.
    with as_of.as_of(custody.led.store, "2024-07-12T23:59:59.999999Z") as then:
        dated = compliance.compute(then.conn, "state-v-baldwin", TODAY)
    assert dated is not None and dated.blockers == dismissal.blockers
    assert told is not None and blocker in told and "overdue" not in told
    assert "6 of the 6 things" in told


def hand_over(custody: Custody, tmp_path: Path, pid: str, when: str, **kw: object) -> None:
    built = produce(
        custody.led,
        "morrissey",
        "state-v-baldwin",
        pid,
        "Alex Spiro",
        tmp_path,
        handed_over=when,
        today=TODAY,
        **kw,  # type: ignore[arg-type]
    )
    with custody.session() as s:
        Desk(s).receipt("morrissey", pid, "Alex Spiro", built.bag_sha256, when)


def teske_suggestion(custody: Custody) -> str:
    """The suggestion linking Teske's rounds to Baldwin's case."""
    with custody.led.engine.connect() as conn:
        ((found,),) = fetch_all(
            conn,
            "SELECT suggestion_id FROM link_suggestion WHERE item_id = ? AND case_id = ?",
            (TESKE, "state-v-baldwin"),
        )
    return str(found)


def accept_teske(custody: Custody) -> None:
    """The prosecutor accepts it: the rounds join Baldwin's discovery."""
    with custody.session() as s:
        s.accept_link("morrissey", teske_suggestion(custody), "Rounds from the Rust supply chain")


def test_the_certificate_waits_for_the_teske_rounds(rust: Custody, tmp_path: Path) -> None:
    before = view(rust)
    assert before.charged and before.trigger == "the arraignment on 2024-01-31"
    due = {u.unit: u.due for u in before.units}
    assert due["item:RUST-REVOLVER"] == "2024-02-14"  # 10 court days after arraignment
    # Everything filed under the case is produced on time and received...
    hand_over(rust, tmp_path, "BALDWIN-P1", "2024-02-09T16:00:00-07:00")
    refused = view(rust)
    assert not refused.certifiable
    assert all(u.status == "disclosed" for u in refused.units)
    # ...but the rounds filed under Teske's case number are still outstanding.
    assert any(TESKE in b and "not reviewed" in b for b in refused.blockers), refused.blockers
    accept_teske(rust)
    linked = {u.unit: u for u in view(rust).units}[f"item:{TESKE}"]
    assert (linked.obtained, linked.due) == ("2024-03-06", "2024-03-13")  # continuing duty
    hand_over(rust, tmp_path, "BALDWIN-P2", "2024-03-08T10:00:00-07:00")
    granted = view(rust)
    assert granted.certifiable, granted.blockers


def test_rounds_produced_mid_trial_are_marked_late(rust: Custody, tmp_path: Path) -> None:
    hand_over(rust, tmp_path, "BALDWIN-P1", "2024-02-09T16:00:00-07:00")
    accept_teske(rust)
    hand_over(rust, tmp_path, "BALDWIN-P2", "2024-07-11T09:00:00-06:00")
    rounds = {u.unit: u for u in view(rust).units}[f"item:{TESKE}"]
    assert rounds.status == "late"
    assert rounds.days_late == (date(2024, 7, 11) - date(2024, 3, 13)).days == 120


def _bagit_validate(bag: Path) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name("bagit.py")
    return subprocess.run(
        [sys.executable, str(tool), "--validate", str(bag)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_production_checks_offline_and_one_changed_byte_fails_both(
    rust: Custody, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = b"\x89PNG casing photograph"
    attach(rust, "poppell", "RUST-CASING", io.BytesIO(photo), "casing.png", "image/png")
    hand_over(rust, tmp_path, "BALDWIN-P1", "2024-02-09T16:00:00-07:00")
    with rust.session() as s:
        Desk(s).request("morrissey", "state-v-baldwin", "Alex Spiro")  # any later event
    hand_over(rust, tmp_path, "BALDWIN-P2", "2024-03-08T10:00:00-07:00", units=["item:RUST-CASING"])
    first, second = tmp_path / "BALDWIN-P1", tmp_path / "BALDWIN-P2"
    assert _bagit_validate(first).returncode == 0, _bagit_validate(first).stderr
    assert verify_cli(["bundle", str(first)]) == 0
    said = capsys.readouterr().out
    assert "Verified:" in said and "files of the bag match its manifest" in said
    # The second production proves the ledger only grew since the first.
    assert verify_cli(["bundle", str(second), "--earlier", str(first)]) == 0
    assert "nothing shown before was removed or rewritten" in capsys.readouterr().out
    assert (second / "data" / "ledger" / "consistency").is_dir()
    # The file itself is in the bag under its Bates number, byte for byte.
    (copy,) = (first / "data" / "evidence").glob("*_casing.png")
    assert copy.read_bytes() == photo
    # The custody trail as CASE/UCO passes the CASE validator (case-utils, offline).
    (graph,) = (first / "data" / "custody").glob("*_RUST-CASING.case.jsonld")
    assert hashlib.sha256(photo).hexdigest().upper() in graph.read_text()
    validated = subprocess.run(
        [str(Path(sys.executable).with_name("case_validate")), str(graph)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0 and "Conforms: True" in validated.stdout, validated.stdout
    # One byte changed in a cited entry: BagIt and the verifier both refuse the bag.
    entry = sorted((first / "data" / "ledger" / "entries").glob("*.entry"))[0]
    raw = bytearray(entry.read_bytes())
    raw[raw.index(b'"payload"') + 12] ^= 0x01
    entry.write_bytes(bytes(raw))
    assert _bagit_validate(first).returncode != 0
    assert verify_cli(["bundle", str(first)]) == 1
    assert "does not match its hash in the manifest" in capsys.readouterr().err
    # Even with the manifest "fixed" to match, the entry is not the one the log signed.
    assert verify_cli(["bundle", str(first / "data" / "ledger")]) == 1
    assert "is not the entry the signed ledger holds" in capsys.readouterr().err


def test_counsel_must_name_the_bag_that_was_produced(rust: Custody, tmp_path: Path) -> None:
    built = produce(
        rust.led, "morrissey", "state-v-baldwin", "P9", "Alex Spiro", tmp_path, today=TODAY
    )
    with pytest.raises(RefusedError, match="is not the bag of production P9"), rust.session() as s:
        Desk(s).receipt("morrissey", "P9", "Alex Spiro", "0" * 64)
    with pytest.raises(RefusedError, match="already exists"):
        produce(rust.led, "morrissey", "state-v-baldwin", "P9", "X", tmp_path / "b", today=TODAY)
    with pytest.raises(RefusedError, match="may not record a receipt"), rust.session() as s:
        Desk(s).receipt("poppell", "P9", "Alex Spiro", built.bag_sha256)


def test_the_timeline_shows_the_rounds_waiting_for_review(rust: Custody, tmp_path: Path) -> None:
    from brady.disclosure import timeline

    with rust.led.engine.connect() as conn:
        marks = timeline.collect(conn, "state-v-baldwin", TODAY)
    assert marks is not None
    (waiting,) = [m for m in marks if m.lane == "Links" and TESKE in m.label]
    assert waiting.tone == "bad" and "NOT REVIEWED" in waiting.label
    assert (waiting.start.isoformat(), waiting.end) == ("2024-03-06", TODAY)  # four months
    assert {"Court", "Evidence", "Links", "Disclosure"} == {m.lane for m in marks}
    assert any("overdue since 2024-02-14" in m.label for m in marks if m.lane == "Disclosure")
    picture = timeline.svg("State v. Baldwin", marks, TODAY)
    assert picture.startswith("<svg") and "NOT REVIEWED" in picture
    image = timeline.png(picture)
    assert image.startswith(b"\x89PNG\r\n\x1a\n") and len(image) > 10_000
