"""A certificate of compliance cites the signed checkpoint of the record it describes, and
brady-verify holds that checkpoint against a later one: it verifies against the honest
ledger grown since (by checkpoint and proof, and by a full export) and fails against a
checkpoint of a rewritten ledger, signed with the log's own key. Real SQLite and
PostgreSQL; brady-verify run as the defense would run it, on files only."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from typer.testing import CliRunner, Result

from brady.cli.app import app
from brady.custody.service import Custody
from brady.ledger.checkpoint import Checkpoint
from brady.ledger.cli import run as verify_cli
from brady.ledger.hashing import leaf_hash, root_of
from brady.ledger.ranges import consistency_ranges

from .test_rust import accept_teske, hand_over, rust  # noqa: F401  (the fixture)

RUNNER = CliRunner()


def _run(custody: Custody, *args: str) -> Result:
    return RUNNER.invoke(app, ["--home", str(custody.led.config.path), *args])


def _brady(custody: Custody, *args: str) -> str:
    done = _run(custody, *args)
    assert done.exit_code == 0, done.output
    return done.stdout


def _accept_and_produce(custody: Custody, tmp_path: Path) -> None:
    accept_teske(custody)
    hand_over(custody, tmp_path, "BALDWIN-P9", "2026-11-30T10:00:00-07:00")


def _rewritten(custody: Custody, cut: int, changed: int) -> tuple[str, list[bytes]]:
    """What an agency that rewrote entry `changed` and re-signed the whole ledger with its
    own log key would publish: its checkpoint, and an honest proof over its leaves."""
    size = custody.led.store.size()
    leaves = [leaf_hash(custody.led.store.entry(i)) for i in range(size)]
    leaves[changed] = leaf_hash(custody.led.store.entry(changed) + b" ")
    signer = custody.led.store.log_signer
    assert signer is not None
    note = Checkpoint(custody.led.store.origin, size, root_of(leaves)).sign(signer)
    return note, [root_of(leaves[b:e]) for b, e in consistency_ranges(cut, size)]


def test_a_certificate_as_recorded_verifies_later_and_not_against_a_rewrite(
    rust: Custody,  # noqa: F811
    tmp_path: Path,
) -> None:
    _accept_and_produce(rust, tmp_path)
    store = rust.led.store
    cited = store.checkpoint()
    # Issued as recorded at the moment that checkpoint was signed (a time, not a size).
    cert = tmp_path / "certificate.html"
    said = json.loads(
        _brady(
            rust,
            "--json",
            "compliance",
            "state-v-baldwin",
            "--as-recorded",
            cited.created_at,
            "--certificate",
            str(cert),
        )
    )
    assert said["certified"] and said["size"] == cited.size
    assert cited.note.splitlines()[2] in cert.read_text()  # the root hash, printed
    assert Path(said["checkpoint"]).read_text() == cited.note
    # The record grows; the certificate's record is still its beginning.
    with rust.session() as s:
        s.add_location("admin", "SFCSO-EV-L9", "Overflow shelf", "shelf")
    later, proof = tmp_path / "later.checkpoint", tmp_path / "later.proof"
    later.write_text(_brady(rust, "ledger", "checkpoint"))
    proof.write_text(_brady(rust, "ledger", "consistency", str(cited.size)))
    assert store.size() > cited.size
    key = rust.led.config.log_vkey
    for given in (cert, Path(said["checkpoint"])):
        args = ["certificate", str(given), "--later", str(later), "--proof", str(proof)]
        assert verify_cli([*args, "--key", key]) == 0
    export = tmp_path / "export"
    _brady(rust, "ledger", "export", str(export))
    assert verify_cli(["certificate", str(cert), "--export", str(export), "--key", key]) == 0
    # A rewritten ledger, re-signed with the log's own key, does not contain it.
    forged_note, forged_proof = _rewritten(rust, cited.size, changed=cited.size // 2)
    forged, forged_p = tmp_path / "forged.checkpoint", tmp_path / "forged.proof"
    forged.write_text(forged_note)
    forged_p.write_text("\n".join(base64.b64encode(h).decode() for h in forged_proof))
    args = ["certificate", str(cert), "--later", str(forged), "--proof", str(forged_p)]
    assert verify_cli([*args, "--key", key]) == 1
    # ...nor does the honest proof make a forged checkpoint pass.
    args = ["certificate", str(cert), "--later", str(forged), "--proof", str(proof)]
    assert verify_cli([*args, "--key", key]) == 1


def test_a_certificate_names_its_view_and_carries_its_proof(
    rust: Custody,  # noqa: F811
    tmp_path: Path,
) -> None:
    _accept_and_produce(rust, tmp_path)
    size = rust.led.store.size()
    with rust.session() as s:
        s.add_location("admin", "SFCSO-EV-L8", "Overflow shelf", "shelf")
    cert = tmp_path / "c.html"
    _brady(
        rust,
        "compliance",
        "state-v-baldwin",
        "--as-recorded",
        str(size),
        "--certificate",
        str(cert),
    )
    text = cert.read_text()
    assert f"As recorded at the first {size} ledger entries." in text
    assert 'id="consistency-proof"' in text and 'id="current-checkpoint"' in text
    # A checkpoint kept from then selects the same record, and the certificate is the same.
    kept = tmp_path / "kept.checkpoint"
    kept.write_text(_brady(rust, "ledger", "checkpoint", "--size", str(size)))
    again = tmp_path / "again.html"
    _brady(
        rust,
        "compliance",
        "state-v-baldwin",
        "--as-recorded",
        str(kept),
        "--certificate",
        str(again),
    )
    assert kept.read_text() in again.read_text()
    # A size no checkpoint was signed at (inside the import's one transaction) cannot be
    # cited: refused, nothing written.
    with rust.led.engine.connect() as conn:
        signed = {cp.size for cp in rust.led.store.checkpoints(conn)}
    unsigned = max(n for n in range(2, size) if n not in signed)
    odd = _run(
        rust,
        *("compliance", "state-v-baldwin", "--as-recorded", str(unsigned)),
        *("--certificate", str(tmp_path / "odd.html")),
    )
    assert odd.exit_code != 0 and "no checkpoint was signed" in odd.stderr
    assert not (tmp_path / "odd.html").exists()
    # A checkpoint that is not this ledger's is refused by name.
    forged_note, _ = _rewritten(rust, size, changed=3)
    forged = tmp_path / "forged.checkpoint"
    forged.write_text(forged_note)
    bad = _run(rust, "compliance", "state-v-baldwin", "--as-recorded", str(forged))
    assert bad.exit_code == 5 and "has been changed since" in bad.stderr, bad.output
