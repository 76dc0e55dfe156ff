"""Actor keys through the store: rotation, revocation, refusal, and sealed private keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from brady.ledger.ed25519 import Signer
from brady.ledger.entry import Event, actor_key_id
from brady.ledger.errors import EntryError, SignatureError
from brady.ledger.keyring import register_event, revoke_event, rotate_event
from brady.ledger_home import OpenLedger, open_home
from brady.store.audit import audit
from brady.store.sealing import SealingError
from brady.store.tables import ledger_entry, sealed_key

NOTE = Event("item.note", ("item:1",), {"text": "Seal intact"})


def _count(led: OpenLedger) -> int:
    with led.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ledger_entry)).scalar_one())


def test_rotation_and_revocation(ledger: OpenLedger) -> None:
    store, admin = ledger.store, ledger.actor()
    clerk, clerk2 = Signer.generate(), Signer.generate()
    store.append(admin, [register_event(clerk.public_key, "Clerk")])
    store.append(clerk, [NOTE])
    store.append(clerk, [rotate_event(actor_key_id(clerk.public_key), clerk2.public_key)])
    before = _count(ledger)
    with pytest.raises(SignatureError, match="rotated"):
        store.append(clerk, [NOTE])
    assert _count(ledger) == before  # nothing half-written
    store.append(clerk2, [NOTE])
    store.append(admin, [revoke_event(actor_key_id(clerk2.public_key), "left the agency")])
    with pytest.raises(SignatureError, match="revoked"):
        store.append(clerk2, [NOTE])
    with pytest.raises(SignatureError, match="unknown key"):
        store.append(Signer.generate(), [NOTE])
    report = audit(store, ledger.config.database_url, ledger.config.log_vkey, workers=1)
    assert report.ok and report.keys == 3


def test_refused_event_in_a_batch_writes_nothing(ledger: OpenLedger) -> None:
    before = _count(ledger)
    with pytest.raises(EntryError, match="kind"):
        ledger.store.append(ledger.actor(), [NOTE, Event("Not A Kind", (), {})])
    with pytest.raises(EntryError, match="over the limit"):
        ledger.store.append(ledger.actor(), [NOTE, Event("item.note", (), {"x": "a" * 70000})])
    assert _count(ledger) == before
    assert ledger.store.checkpoint().size == before


def test_private_keys_are_sealed(
    ledger: OpenLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = ledger.actor()
    with ledger.engine.connect() as conn:
        sealed = [bytes(r.sealed) for r in conn.execute(select(sealed_key))]
    assert len(sealed) == 2
    assert all(admin.seed not in s for s in sealed)
    other = tmp_path / "other.key"
    other.write_text("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
    monkeypatch.setenv("BRADY_MASTER_KEY_FILE", str(other))
    with pytest.raises(SealingError, match="does not open"):
        open_home(ledger.config.path, writable=True)
    # Reading and verifying need no master key at all.
    monkeypatch.setenv("BRADY_MASTER_KEY_FILE", str(tmp_path / "absent.key"))
    reader = open_home(ledger.config.path)
    assert reader.store.size() == 1
    reader.close()
