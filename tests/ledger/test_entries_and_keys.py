"""Entries, signatures, signed notes and the keyring, without a database."""

from __future__ import annotations

import base64

import pytest

from brady.ledger.checkpoint import Checkpoint, InclusionProofFile, open_checkpoint
from brady.ledger.ed25519 import Signer
from brady.ledger.entry import (
    MAX_ENTRY_BYTES,
    Event,
    actor_key_id,
    check_signature,
    make_entry,
    parse_entry,
)
from brady.ledger.errors import EntryError, NoteError, SignatureError
from brady.ledger.keyring import (
    GENESIS,
    Keyring,
    genesis_payload,
    register_event,
    revoke_event,
    rotate_event,
)
from brady.ledger.note import Verifier, open_note, sign_note

ORIGIN = "brady.test/log"
TIME = "2026-11-25T10:00:00.000000Z"


def test_entry_round_trip_and_signature() -> None:
    signer = Signer.generate()
    e = make_entry(ORIGIN, 3, TIME, signer, "item.intake", ["item:1"], {"caliber": ".45"})
    again = parse_entry(e.raw, 3)
    assert again == e
    check_signature(again, ORIGIN, signer.public_key)
    # A signature is bound to its log: the same bytes do not verify in another one.
    with pytest.raises(SignatureError):
        check_signature(again, "brady.test/other", signer.public_key)
    with pytest.raises(SignatureError):
        check_signature(again, ORIGIN, Signer.generate().public_key)


def test_entry_at_wrong_position_is_refused() -> None:
    e = make_entry(ORIGIN, 3, TIME, Signer.generate(), "item.intake", [], {})
    with pytest.raises(EntryError, match="stored at position 4"):
        parse_entry(e.raw, 4)


def test_oversized_entry_is_refused_with_advice() -> None:
    with pytest.raises(EntryError, match=r"over the limit of 65535.*blob"):
        make_entry(
            ORIGIN, 0, TIME, Signer.generate(), "item.note", [], {"x": "a" * MAX_ENTRY_BYTES}
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "Item Intake", "dotted lowercase"),
        ("recorded_at", "2026-11-25 10:00", "YYYY-MM-DD"),
        ("seq", -1, "non-negative"),
    ],
)
def test_bad_fields_name_the_problem(field: str, value: object, message: str) -> None:
    args: dict[str, object] = {"seq": 0, "recorded_at": TIME, "kind": "item.intake"}
    args[field] = value
    with pytest.raises(EntryError, match=message):
        make_entry(
            ORIGIN,
            args["seq"],
            args["recorded_at"],
            Signer.generate(),  # type: ignore[arg-type]
            args["kind"],
            [],
            {},
        )  # type: ignore[arg-type]


def test_tampered_entry_bytes_fail() -> None:
    signer = Signer.generate()
    e = make_entry(ORIGIN, 0, TIME, signer, "item.intake", [], {"a": "x"})
    edited = e.raw.replace(b'"x"', b'"y"')
    with pytest.raises(SignatureError):
        check_signature(parse_entry(edited, 0), ORIGIN, signer.public_key)
    with pytest.raises(EntryError, match="canonical"):
        parse_entry(e.raw.replace(b'{"a"', b'{ "a"'), 0)


def test_note_and_checkpoint() -> None:
    key = Signer.generate()
    verifier = Verifier(ORIGIN, key.public_key)
    assert Verifier.from_vkey(verifier.vkey()) == verifier
    note = Checkpoint(ORIGIN, 5, b"\x01" * 32).sign(key)
    assert open_checkpoint(note, verifier) == Checkpoint(ORIGIN, 5, b"\x01" * 32)
    with pytest.raises(NoteError):
        open_note(note.replace("\n5\n", "\n6\n"), verifier)
    with pytest.raises(NoteError):
        open_note(sign_note("hello\n", ORIGIN, Signer.generate()), verifier)
    proof = InclusionProofFile(2, (b"\x02" * 32, b"\x03" * 32), note)
    assert InclusionProofFile.parse(proof.text()) == proof


def _genesis(admin: Signer, log: Signer) -> Keyring:
    keyring = Keyring(ORIGIN)
    vkey = Verifier(ORIGIN, log.public_key).vkey()
    g = make_entry(
        ORIGIN,
        0,
        TIME,
        admin,
        GENESIS,
        [],
        genesis_payload(ORIGIN, vkey, admin.public_key, "admin"),
    )
    keyring.check(g)
    return keyring


def test_keys_register_rotate_revoke() -> None:
    admin, log, clerk, clerk2 = (Signer.generate() for _ in range(4))
    keyring = _genesis(admin, log)

    def add(seq: int, signer: Signer, event: object) -> None:
        assert isinstance(event, Event)
        keyring.check(
            make_entry(ORIGIN, seq, TIME, signer, event.kind, event.subjects, event.payload)
        )

    def plain(seq: int, signer: Signer) -> None:
        keyring.check(make_entry(ORIGIN, seq, TIME, signer, "item.note", [], {}))

    with pytest.raises(SignatureError, match="unknown key"):
        plain(1, clerk)
    add(1, admin, register_event(clerk.public_key, "Clerk"))
    plain(2, clerk)
    with pytest.raises(SignatureError, match="key_admin"):
        add(3, clerk, register_event(Signer.generate().public_key, "Intruder"))
    clerk_id = actor_key_id(clerk.public_key)
    add(3, clerk, rotate_event(clerk_id, clerk2.public_key))
    with pytest.raises(SignatureError, match="rotated at entry 3"):
        plain(4, clerk)
    plain(4, clerk2)
    add(5, admin, revoke_event(actor_key_id(clerk2.public_key), "laptop stolen"))
    with pytest.raises(SignatureError, match="revoked at entry 5"):
        plain(6, clerk2)
    # History stays valid: the old key still vouches for what it signed back then.
    assert keyring.keys[clerk_id].valid_at(2)


def _signed(raw_edit: bytes, signer: Signer) -> bytes:
    """Entry bytes with a field edited and the signature made over the edited body."""
    from brady.ledger.entry import _with_signature, _without_signature, signing_message

    body = _without_signature(raw_edit)
    return _with_signature(body, signer.sign(signing_message(ORIGIN, body)))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b'"format":1', b'"format":true', "format"),
        (b'"recorded_at":"2026', '"recorded_at":"２０２６'.encode(), "recorded_at"),
        (b"2026-11-25T", b"2026-13-25T", "not a real date"),
    ],
)
def test_signed_but_malformed_entries_are_refused(old: bytes, new: bytes, message: str) -> None:
    signer = Signer.generate()
    e = make_entry(ORIGIN, 0, TIME, signer, "item.intake", [], {})
    raw = _signed(e.raw.replace(old, new), signer)
    with pytest.raises(EntryError, match=message):
        parse_entry(raw, 0)


def test_base64_must_be_canonical() -> None:
    signer = Signer.generate()
    e = make_entry(ORIGIN, 0, TIME, signer, "item.intake", [], {})
    sig = base64.b64encode(e.signature)  # 64 bytes: ends in '==' with 4 spare bits
    assert sig.endswith(b"==")
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    spare_bit = alphabet[alphabet.index(sig[-3]) ^ 1]  # one of the 4 unused low bits
    twiddled = sig[:-3] + bytes([spare_bit]) + b"=="
    assert base64.b64decode(twiddled) == e.signature  # the same bytes, another spelling
    with pytest.raises(EntryError, match="canonical base64"):
        parse_entry(e.raw.replace(sig, twiddled), 0)


def test_note_and_checkpoint_strictness() -> None:
    key = Signer.generate()
    verifier = Verifier(ORIGIN, key.public_key)
    note = Checkpoint(ORIGIN, 5, b"\x01" * 32).sign(key)
    with pytest.raises(NoteError, match="control character"):
        open_note(note[:-1] + "\r\n", verifier)
    body = f"{ORIGIN}\n5\n{base64.b64encode(bytes(32)).decode()}\n\next\n"
    with pytest.raises(NoteError, match="extension"):
        open_checkpoint(sign_note(body, ORIGIN, key), verifier)
    with pytest.raises(EntryError, match="dotted lowercase"):
        make_entry(ORIGIN, 0, TIME, key, "a." + "b" * 100, [], {})
