"""Split views proven from two signed checkpoints, and only then (brady-verify equivocation)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from brady.ledger.cli import run
from brady.ledger.ed25519 import Signer
from brady.ledger.equivocation import check_evidence, judge
from brady.ledger.errors import NoteError
from brady.ledger.hashing import root_of

from .helpers import Log


def test_consistent_checkpoints_prove_nothing() -> None:
    log = Log().grow(9)
    assert not judge(log.note(9), log.note(9), log.vkey).proven
    verdict = judge(log.note(9), log.note(5), log.vkey, log.proof(5, 9))
    assert not verdict.proven and "consistent" in verdict.reason
    assert verdict.older.size == 5  # ordered by size whatever order they came in
    no_proof = judge(log.note(5), log.note(9), log.vkey)
    assert not no_proof.proven and "without a consistency proof" in no_proof.reason


def test_same_size_different_roots_is_a_split_view() -> None:
    log = Log().grow(7)
    fork = log.fork(5, "rewritten")
    verdict = judge(log.note(), fork.note(), log.vkey)
    assert verdict.proven
    assert "same size, 7 entries" in verdict.reason
    text = verdict.evidence(log.vkey)
    assert log.note() in text and fork.note() in text
    assert check_evidence(text, log.vkey).proven


def test_a_proof_binding_another_prefix_is_a_split_view() -> None:
    log = Log().grow(5)
    fork = log.fork(3, "rewritten").grow(4, "more")  # 9 entries, entries 3.. differ
    proof = fork.proof(5)  # what the forked log proves from its own size 5
    verdict = judge(log.note(5), fork.note(), log.vkey, proof)
    assert verdict.proven, verdict.reason
    assert base64.b64encode(root_of(fork.leaves[:5])).decode() in verdict.reason
    assert check_evidence(verdict.evidence(log.vkey), log.vkey).proven
    # A proof that does not lead to the larger checkpoint's root binds nothing.
    garbage = [bytes([i]) * 32 for i in range(len(proof))]
    assert not judge(log.note(5), fork.note(), log.vkey, garbage).proven


def test_power_of_two_sizes_need_the_prefix_root_first() -> None:
    log = Log().grow(4)
    fork = log.fork(2, "rewritten").grow(5, "more")
    standard = fork.proof(4)
    assert not judge(log.note(4), fork.note(), log.vkey, standard).proven
    explicit = [root_of(fork.leaves[:4]), *standard]
    assert judge(log.note(4), fork.note(), log.vkey, explicit).proven
    # The honest log's own prefix root given first is no proof against it.
    honest = log.grow(5)
    same = [root_of(honest.leaves[:4]), *honest.proof(4)]
    assert not judge(honest.note(4), honest.note(), log.vkey, same).proven


def test_checkpoints_not_signed_by_the_log_prove_nothing() -> None:
    log = Log().grow(7)
    impostor = Log(signer=Signer(b"\x07" * 32)).grow(7, "other")
    with pytest.raises(NoteError):
        judge(log.note(), impostor.note(), log.vkey)
    text = judge(log.note(), log.fork(2, "x").note(), log.vkey).evidence(log.vkey)
    with pytest.raises(NoteError, match="another log key"):
        check_evidence(text, impostor.vkey)
    edited = text.replace(log.note(), log.note().replace("\n7\n", "\n8\n"))
    with pytest.raises(NoteError):
        check_evidence(edited, log.vkey)


def test_brady_verify_equivocation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = Log().grow(6)
    fork = log.fork(4, "rewritten")
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    a.write_text(log.note())
    b.write_text(fork.note())
    c.write_text(log.note(3))
    key = ["--key", log.vkey]
    assert run(["equivocation", str(a), str(b), *key]) == 0
    out, err = capsys.readouterr()
    assert "Split view proven" in err and log.note() in out and fork.note() in out
    saved = tmp_path / "proof.txt"
    saved.write_text(out)
    assert run(["equivocation", str(saved), *key]) == 0
    capsys.readouterr()
    proof = tmp_path / "p"
    proof.write_text("".join(base64.b64encode(h).decode() + "\n" for h in log.proof(3, 6)))
    assert run(["equivocation", str(c), str(a), "--proof", str(proof), *key]) == 1
    assert "NOT PROVEN: The checkpoints are consistent" in capsys.readouterr().err
    assert run(["equivocation", str(a), str(c), *key]) == 1
    assert "NOT PROVEN" in capsys.readouterr().err
    impostor = Log(signer=Signer(b"\x07" * 32))
    assert run(["equivocation", str(a), str(b), "--key", impostor.vkey]) == 1
    assert "NOT VERIFIED" in capsys.readouterr().err
    assert run(["equivocation", str(a), str(b), str(c), *key]) == 2
