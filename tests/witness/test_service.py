"""add-checkpoint as c2sp.org/tlog-witness specifies it: every status code and body, the
compare-and-swap that keeps two racing requests from both advancing, and the evidence a
witness keeps when a log contradicts what it cosigned."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from brady.ledger.checkpoint import Checkpoint
from brady.ledger.cosignature import (
    Cosignature,
    add_cosignatures,
    cosign,
    cosignatures_on,
    split_note,
)
from brady.ledger.ed25519 import Signer
from brady.ledger.equivocation import check_evidence
from brady.ledger.hashing import EMPTY_ROOT, root_of
from brady.ledger.note import Verifier, open_note
from brady.witness.home import close_witness, follow_log, init_witness, open_witness
from brady.witness.service import Witness, evidence_document

from .helpers import Log, body

NOW = 1_700_000_000


@pytest.fixture
def witness(tmp_path: Path) -> Iterator[Witness]:
    init_witness(tmp_path / "w", "clerk.example/w1")
    w = open_witness(tmp_path / "w")
    w.clock = lambda: NOW
    yield w
    close_witness(w)


@pytest.fixture
def log(witness: Witness) -> Log:
    log = Log().grow(5)
    follow_log(witness, log.origin, log.vkey)
    return log


def _cosignature(witness: Witness, note: str, answer_body: str) -> Cosignature:
    found = cosignatures_on(note + answer_body, [witness.cosigner])
    assert list(found) == [witness.cosigner.vkey()]
    return found[witness.cosigner.vkey()]


def test_first_and_next_checkpoints_are_cosigned(witness: Witness, log: Log) -> None:
    first = witness.add_checkpoint(body(0, [], log.note()))
    assert first.status == 200 and first.body.startswith("\u2014 clerk.example/w1 ")
    cosig = _cosignature(witness, log.note(), first.body)
    assert cosig.timestamp == NOW
    log.grow(6)
    nxt = witness.add_checkpoint(body(5, log.proof(5), log.note()))
    assert nxt.status == 200, nxt.body
    cosigned = log.note() + nxt.body
    assert open_note(cosigned, Verifier(log.origin, log.signer.public_key))
    held = witness.store.log(log.origin)
    assert held is not None and held.size == 11
    # What monitors are served: the log's signature and the witness's, nothing else.
    assert held.note is not None and _cosignature(witness, log.note(), nxt.body)
    assert split_note(held.note)[1][0].name == log.origin
    # The same checkpoint again is cosigned again (its root matches what is held).
    assert witness.add_checkpoint(body(11, [], log.note())).status == 200


def test_wrong_old_size_is_409_with_the_size_held(witness: Witness, log: Log) -> None:
    assert witness.add_checkpoint(body(0, [], log.note())).status == 200
    log.grow(3)
    for old in (0, 3, 6):
        answer = witness.add_checkpoint(body(old, log.proof(old) if old else [], log.note()))
        assert (answer.status, answer.body, answer.content_type) == (409, "5\n", "text/x.tlog.size")


def test_bad_proofs_are_422(witness: Witness, log: Log) -> None:
    assert witness.add_checkpoint(body(0, [], log.note())).status == 200
    log.grow(4)
    good = log.proof(5)
    for proof in (good[:-1], [*good, good[0]], [bytes(32), *good[1:]], good[::-1]):
        answer = witness.add_checkpoint(body(5, proof, log.note()))
        assert answer.status == 422, proof
    assert witness.store.log(log.origin).size == 5  # type: ignore[union-attr]
    # A proof from size 0 must be empty.
    other = Log(origin="brady.test/other").grow(3)
    follow_log(witness, other.origin, other.vkey)
    assert witness.add_checkpoint(body(0, [bytes(32)], other.note())).status == 422
    # Size zero must be the empty tree.
    empty = Checkpoint(other.origin, 0, EMPTY_ROOT).sign(other.signer)
    assert witness.add_checkpoint(body(0, [], empty)).status == 200
    bad_empty = Checkpoint(other.origin, 0, bytes(32)).sign(other.signer)
    assert witness.add_checkpoint(body(0, [], bad_empty)).status == 422


def test_unknown_log_is_404_and_a_wrong_key_is_403(witness: Witness, log: Log) -> None:
    stranger = Log(origin="brady.test/stranger").grow(2)
    answer = witness.add_checkpoint(body(0, [], stranger.note()))
    assert answer.status == 404
    impostor = Log(origin=log.origin, signer=Signer(b"\x01" * 32)).grow(5)
    assert witness.add_checkpoint(body(0, [], impostor.note())).status == 403
    # A line under the log's name and key ID whose signature is bad is 403 too.
    note = log.note()
    blob = base64.b64decode(note.split()[-1])
    flipped = base64.b64encode(blob[:-1] + bytes([blob[-1] ^ 1])).decode()
    forged = note.replace(note.split()[-1], flipped)
    assert witness.add_checkpoint(body(0, [], forged)).status == 403
    # The log's note cosigned by other witnesses still counts: unknown lines are ignored.
    other = Signer(b"\x05" * 32)
    text = split_note(note)[0]
    extra = add_cosignatures(note, [cosign(text, "other.example/w", other, NOW)])
    assert witness.add_checkpoint(body(0, [], extra)).status == 200


def test_malformed_requests_are_400(witness: Witness, log: Log) -> None:
    note = log.note()
    for raw in (
        b"",
        b"old 0\n" + note.encode(),  # no blank line
        b"old 00\n\n" + note.encode(),
        b"old -1\n\n" + note.encode(),
        b"old 0\nnot base64\n\n" + note.encode(),
        b"old 0\n\n" + b"\xff\xfe",
        b"old 0\n\nno checkpoint here\n",
        b"old 0\n" + b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" * 64 + b"\n" + note.encode(),
    ):
        assert witness.add_checkpoint(raw).status == 400, raw[:40]
    assert witness.add_checkpoint(body(6, [], note)).status == 400  # old beyond the size


def test_same_size_other_root_is_kept_as_proof_of_a_split_view(witness: Witness, log: Log) -> None:
    assert witness.add_checkpoint(body(0, [], log.note())).status == 200
    fork = log.fork(3, "rewritten")
    answer = witness.add_checkpoint(body(5, [], fork.note()))
    assert answer.status == 422
    witness.add_checkpoint(body(5, [], fork.note()))  # offered twice, kept once
    [kept] = witness.store.evidence()
    assert kept.proven and kept.offered_note == fork.note()
    assert open_note(kept.held_note, Verifier(log.origin, log.signer.public_key))
    document = evidence_document(kept, log.vkey)
    assert check_evidence(document, log.vkey).proven
    assert witness.store.log(log.origin).size == 5  # type: ignore[union-attr]


def test_an_inconsistent_larger_checkpoint_is_kept(witness: Witness, log: Log) -> None:
    assert witness.add_checkpoint(body(0, [], log.note())).status == 200
    fork = log.fork(2, "rewritten").grow(4, "more")
    assert witness.add_checkpoint(body(5, fork.proof(5), fork.note())).status == 422
    [kept] = witness.store.evidence()
    assert kept.proven, kept.reason  # the fork's own proof ties it to another history
    assert check_evidence(evidence_document(kept, log.vkey), log.vkey).proven
    # A proof of garbage is refused and kept, but proves nothing against the log.
    garbage = [bytes([i]) * 32 for i in range(len(fork.proof(5)))]
    assert witness.add_checkpoint(body(5, garbage, fork.note())).status == 422
    assert [e.proven for e in witness.store.evidence()] == [True, False]


def _race(witness: Witness, offers: list[bytes]) -> list[int]:
    start = threading.Barrier(len(offers))
    answers: list[int] = []

    def offer(raw: bytes) -> None:
        start.wait()
        answers.append(witness.add_checkpoint(raw).status)

    threads = [threading.Thread(target=offer, args=(raw,)) for raw in offers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_two_racing_requests_cannot_both_advance(witness: Witness, log: Log) -> None:
    assert witness.add_checkpoint(body(0, [], log.note())).status == 200
    log.grow(10)
    offers = [body(5, log.proof(5, 9), log.note(9)), body(5, log.proof(5, 15), log.note(15))]
    for _ in range(5):
        answers = _race(witness, offers)
        assert sorted(answers) == [200, 409]
        held = witness.store.log(log.origin)
        assert held is not None and held.size in (9, 15)
        # Back to 5 for the next round, through the store as a test may.
        with witness.store.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE witness_log SET size = 5, root = ?", (root_of(log.leaves[:5]),)
            )


def test_the_store_refuses_a_stale_update(witness: Witness, log: Log) -> None:
    assert witness.add_checkpoint(body(0, [], log.note())).status == 200
    held = witness.store.log(log.origin)
    assert held is not None
    log.grow(2)
    assert witness.store.advance(held, 7, b"\x01" * 32, log.note())
    assert not witness.store.advance(held, 6, b"\x02" * 32, log.note(6))  # held is stale
    assert witness.store.log(log.origin).size == 7  # type: ignore[union-attr]


def _logs(witness: Witness, n: int) -> list[Log]:
    logs = [Log(origin=f"brady.test/log-{k}").grow(5) for k in range(n)]
    for one in logs:
        follow_log(witness, one.origin, one.vkey)
    return logs


def test_requests_for_many_logs_share_one_commit(witness: Witness) -> None:
    """Advances queued while the disk is busy go to disk together, each answered only
    after that commit; one log's checkpoint does not leak into another's."""
    logs = _logs(witness, 6)
    group = witness.store._group
    answers: dict[str, int] = {}
    threads = [
        threading.Thread(
            target=lambda one=one: answers.__setitem__(
                one.origin, witness.add_checkpoint(body(0, [], one.note())).status
            )
        )
        for one in logs
    ]
    before = group.commits
    with group._disk:  # the disk is busy: every request queues behind it
        for t in threads:
            t.start()
        while len(group._queued) < len(logs):
            threading.Event().wait(0.005)
        assert answers == {}  # nothing answered before its commit
    for t in threads:
        t.join()
    assert answers == {one.origin: 200 for one in logs}
    assert group.commits == before + 1
    for one in logs:
        held = witness.store.log(one.origin, fresh=True)
        assert held is not None and (held.size, held.root) == (5, root_of(one.leaves))
        assert witness.store.log(one.origin) == held


def test_a_failed_commit_cosigns_nothing(witness: Witness, log: Log) -> None:
    """A write that cannot reach the disk answers no cosignature and moves nothing, in
    the database or in what the store remembers."""
    assert witness.add_checkpoint(body(0, [], log.note())).status == 200
    log.grow(3)
    with witness.store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE witness_log RENAME TO witness_log_away")
    with pytest.raises(Exception, match="witness_log"):
        witness.add_checkpoint(body(5, log.proof(5), log.note()))
    with witness.store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE witness_log_away RENAME TO witness_log")
    held = witness.store.log(log.origin)
    assert held is not None and held.size == 5
    assert witness.add_checkpoint(body(5, log.proof(5), log.note())).status == 200
    assert witness.store.log(log.origin, fresh=True).size == 8  # type: ignore[union-attr]


def test_many_logs_advance_concurrently(witness: Witness) -> None:
    logs = _logs(witness, 8)
    failures: list[str] = []

    def drive(one: Log) -> None:
        size = 0
        for _ in range(15):
            one.grow(2)
            proof = one.proof(size) if size else []
            answer = witness.add_checkpoint(body(size, proof, one.note()))
            if answer.status != 200:
                failures.append(f"{one.origin} at {size}: {answer}")
                return
            size = len(one.leaves)

    threads = [threading.Thread(target=drive, args=(one,)) for one in logs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    for one in logs:
        assert witness.store.log(one.origin, fresh=True).size == len(one.leaves)  # type: ignore[union-attr]
