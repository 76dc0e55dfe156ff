"""cosignature/v1 (c2sp.org/tlog-cosignature) against the specification's own example and
against vectors computed independently: key IDs with hashlib, signatures with OpenSSL
(through `cryptography`), not with the libsodium code under test."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from brady.ledger.checkpoint import open_checkpoint
from brady.ledger.cosignature import (
    Cosignature,
    Cosigner,
    add_cosignatures,
    cosign,
    cosignatures_on,
    signed_message,
    split_note,
)
from brady.ledger.ed25519 import Signer
from brady.ledger.errors import NoteError
from brady.ledger.note import Verifier, open_note, sign_note

# c2sp.org/tlog-cosignature, "Format": a checkpoint with one log signature and one
# witness cosignature. The specification publishes no keys for it, so what can be
# checked is the framing and the timestamp its signed-message example shows.
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_NOTE = (
    SPEC_BODY
    + "\n"
    + "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5"
    "/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    + "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9d"
    "lrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)
SPEC_TIME = 1679315147
# The specification's "Ed25519 signed message" example, verbatim.
SPEC_MESSAGE = (
    "cosignature/v1\n"
    "time 1679315147\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)
# RFC 8032 section 7.1, test 1: a known Ed25519 key pair.
SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
NAME = "witness.example.com/w1"


def test_spec_example_line_is_key_id_timestamp_and_signature() -> None:
    text, sigs = split_note(SPEC_NOTE)
    assert text == SPEC_BODY
    assert [s.name for s in sigs] == ["example.com/behind-the-sofa", NAME]
    cosig = Cosignature.from_note_signature(sigs[1])
    assert cosig.key_id == bytes.fromhex("8d66cf3f")
    assert cosig.timestamp == SPEC_TIME
    assert len(cosig.signature) == 64
    assert cosig.line() == SPEC_NOTE.splitlines(keepends=True)[-1]
    # The log's line is a plain Ed25519 note signature: no timestamp, 64 bytes.
    assert len(sigs[0].payload) == 64
    with pytest.raises(NoteError, match="cosignature/v1 holds 72"):
        Cosignature.from_note_signature(sigs[0])


def test_signed_message_is_the_specification_example() -> None:
    assert signed_message(SPEC_BODY, SPEC_TIME) == SPEC_MESSAGE.encode()


def test_key_id_and_vkey_computed_by_hand() -> None:
    cosigner = Cosigner(NAME, PUBLIC)
    want_id = hashlib.sha256(NAME.encode() + b"\n" + b"\x04" + PUBLIC).digest()[:4]
    assert Signer(SEED).public_key == PUBLIC
    assert cosigner.key_id == want_id
    blob = base64.b64encode(b"\x04" + PUBLIC).decode()
    assert cosigner.vkey() == f"{NAME}+{want_id.hex()}+{blob}"
    assert Cosigner.from_vkey(cosigner.vkey()) == cosigner
    # The same key as a log's (type 0x01) has another key ID and is no witness key.
    as_log = Verifier(NAME, PUBLIC)
    assert as_log.key_id != cosigner.key_id
    with pytest.raises(NoteError, match="type 0x04"):
        Cosigner.from_vkey(as_log.vkey())
    wrong_id = cosigner.vkey().replace(want_id.hex(), "00000000")
    with pytest.raises(NoteError, match="does not match"):
        Cosigner.from_vkey(wrong_id)


def test_cosignature_is_what_openssl_signs() -> None:
    """The whole line, byte for byte, as an independent Ed25519 implementation makes it."""
    openssl = Ed25519PrivateKey.from_private_bytes(SEED).sign(SPEC_MESSAGE.encode())
    key_id = hashlib.sha256(NAME.encode() + b"\n\x04" + PUBLIC).digest()[:4]
    want = (
        "\u2014 "
        + NAME
        + " "
        + base64.b64encode(key_id + SPEC_TIME.to_bytes(8, "big") + openssl).decode()
        + "\n"
    )
    ours = cosign(SPEC_BODY, NAME, Signer(SEED), SPEC_TIME)
    assert ours.line() == want


def _log_and_witnesses() -> tuple[Signer, str, list[tuple[Signer, Cosigner]]]:
    log = Signer(bytes(range(32)))
    note = sign_note(SPEC_BODY, "example.com/behind-the-sofa", log)
    witnesses = []
    for i in range(3):
        signer = Signer(bytes([i + 1]) * 32)
        witnesses.append((signer, Cosigner(f"witness.example/w{i}", signer.public_key)))
    return log, note, witnesses


def test_cosigned_note_opens_with_the_log_key_and_counts_known_witnesses() -> None:
    log, note, witnesses = _log_and_witnesses()
    cosigs = [cosign(SPEC_BODY, c.name, s, SPEC_TIME + i) for i, (s, c) in enumerate(witnesses)]
    cosigned = add_cosignatures(note, cosigs)
    assert cosigned.startswith(note)
    assert add_cosignatures(cosigned, cosigs) == cosigned  # a line is kept once
    log_verifier = Verifier("example.com/behind-the-sofa", log.public_key)
    assert open_note(cosigned, log_verifier) == SPEC_BODY
    assert open_checkpoint(cosigned, log_verifier).size == 20852163
    known = [c for _, c in witnesses[:2]]
    found = cosignatures_on(cosigned, known)
    assert sorted(found) == sorted(c.vkey() for c in known)
    assert found[known[1].vkey()].timestamp == SPEC_TIME + 1
    # An unknown witness's line, and the log's own, are ignored; none known: none found.
    assert cosignatures_on(cosigned, []) == {}
    stranger = Cosigner("witness.example/w9", Signer(b"\x09" * 32).public_key)
    assert cosignatures_on(cosigned, [stranger]) == {}


def test_a_bad_cosignature_by_a_known_witness_makes_the_note_malformed() -> None:
    _, note, witnesses = _log_and_witnesses()
    signer, cosigner = witnesses[0]
    good = cosign(SPEC_BODY, cosigner.name, signer, SPEC_TIME)
    # A later timestamp put on the line: the signature no longer covers it.
    moved = Cosignature(good.name, good.key_id, SPEC_TIME + 1, good.signature)
    with pytest.raises(NoteError, match="does not verify"):
        cosignatures_on(add_cosignatures(note, [moved]), [cosigner])
    # A cosignature of another checkpoint copied onto this one.
    other = cosign(SPEC_BODY.replace("20852163", "20852164"), cosigner.name, signer, SPEC_TIME)
    with pytest.raises(NoteError, match="does not verify"):
        cosignatures_on(add_cosignatures(note, [other]), [cosigner])
    # Dated in the future, when the verifier asks.
    with pytest.raises(NoteError, match="future"):
        cosignatures_on(add_cosignatures(note, [good]), [cosigner], not_after=SPEC_TIME - 1)
    assert cosignatures_on(add_cosignatures(note, [good]), [cosigner], not_after=SPEC_TIME)


def test_timestamps_beyond_int63_and_malformed_lines_are_refused() -> None:
    with pytest.raises(NoteError, match="2\\^63"):
        signed_message(SPEC_BODY, 1 << 63)
    key_id = bytes(4)
    line = base64.b64encode(key_id + (1 << 63).to_bytes(8, "big") + bytes(64)).decode()
    _, sigs = split_note(SPEC_BODY + "\n\u2014 w.example " + line + "\n")
    with pytest.raises(NoteError, match="2\\^63"):
        Cosignature.from_note_signature(sigs[0])
    for bad in (
        SPEC_BODY + "\n- w.example AAAAAAA=\n",  # hyphen, not an em dash
        SPEC_BODY + "\n\u2014 w.example AAAA\n",  # key id only, no signature
        SPEC_BODY + "\n\u2014 w.example AAAAAAA\n",  # not padded base64
        SPEC_BODY + "\n\u2014 w example AAAAAAA=\n",  # a space in the name
        SPEC_BODY + "\u2014 w.example AAAAAAA=\n",  # no blank line
    ):
        with pytest.raises(NoteError):
            split_note(bad)
