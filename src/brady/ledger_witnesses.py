"""The agency's side of witnessing: offering checkpoints to the witnesses in brady.toml,
keeping their cosignatures, serving checkpoints with them, and saying what is missing.

Offering happens after the checkpoint's transaction committed and never inside one, so a
witness that is down or slow never holds up recording: the offer simply fails, nothing is
kept, and the next offer (the server's witness loop, `brady ledger witnesses offer-now`, a
production being built) tries again from the size the witness last cosigned. A witness
that was down answers 409 with the size it holds; the offer is then repeated once with a
consistency proof from that size.

Witnesses cosign the newest checkpoint they are offered. A checkpoint signed between two
offers is covered by the next cosigned one: it is a prefix of it, which anyone can check
with a consistency proof.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .ledger.cosignature import Cosigner
from .ledger.entry import now
from .ledger.errors import LedgerError
from .ledger.witness_policy import WitnessPolicy
from .ledger_home import OpenLedger, WitnessConfig, witness_settings
from .store import cosignatures as kept
from .store.ledger_store import StoredCheckpoint
from .witness.client import checked, offer_checkpoint

OFFER_TIMEOUT = 5.0
"""Seconds to wait for one witness's answer: a witness that takes longer is tried later."""


@dataclass(frozen=True)
class Offered:
    """What became of offering one checkpoint to one witness."""

    witness: str
    size: int
    outcome: str  # cosigned | held already | unreachable | refused
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in ("cosigned", "held already")

    def sentence(self) -> str:
        said = {
            "cosigned": f"cosigned the checkpoint of {self.size} entries",
            "held already": f"had already cosigned the checkpoint of {self.size} entries",
            "unreachable": "could not be reached; Brady offers it again later",
            "refused": f"refused the checkpoint of {self.size} entries",
        }[self.outcome]
        return f"{self.witness} {said}" + (f" ({self.detail})" if self.detail else ".")


def active(led: OpenLedger) -> tuple[WitnessConfig, ...]:
    """The witnesses that are offered checkpoints (those not retired)."""
    return tuple(w for w in witness_settings(led.config) if not w.retired)


def cosigners(led: OpenLedger) -> tuple[Cosigner, ...]:
    """Every witness key brady.toml lists, retired ones too: their cosignatures still count."""
    return tuple(w.cosigner for w in witness_settings(led.config))


def offer(
    led: OpenLedger, size: int | None = None, timeout: float = OFFER_TIMEOUT
) -> list[Offered]:
    """Offer the checkpoint of `size` (default: the newest) to every active witness that has
    not cosigned it; keep each cosignature that verifies. Never raises for a witness."""
    witnesses = active(led)
    if not witnesses:
        return []
    cp = led.store.checkpoint(size)
    return [_offer_one(led, w, cp, timeout) for w in witnesses]


def _offer_one(
    led: OpenLedger, witness: WitnessConfig, cp: StoredCheckpoint, timeout: float
) -> Offered:
    def said(outcome: str, detail: str = "") -> Offered:
        return Offered(witness.name, cp.size, outcome, detail)

    cosigner = witness.cosigner
    with led.engine.connect() as conn:
        if any(k.witness == witness.name for k in kept.on_checkpoint(conn, cp.size)):
            return said("held already")
        held = kept.last_cosigned(conn, witness.name) or 0
    tried: set[int] = set()
    while held not in tried:
        tried.add(held)
        if held > cp.size:
            return said(
                "refused",
                f"it has cosigned the checkpoint of {held} entries already, and cosigns "
                "none older; offer the newest",
            )
        try:
            proof = led.store.consistency_proof(held, cp.size) if 0 < held < cp.size else []
            answer = offer_checkpoint(witness.url, held, proof, cp.note, timeout)
        except LedgerError as exc:
            return said("refused", f"no proof from the size it holds, {held}: {exc}")
        except OSError as exc:
            return said("unreachable", str(getattr(exc, "reason", exc)))
        if answer.status == 409 and answer.held_size is not None:
            held = answer.held_size
            continue
        if answer.status != 200:
            return said("refused", f"HTTP {answer.status}: {answer.detail.strip()[:300]}")
        try:
            cosignature = checked(answer, cp.note, cosigner)
        except LedgerError as exc:
            return said("refused", f"its answer does not verify: {exc}")
        kept.keep(led.engine, cp.size, cosigner, cosignature, now())
        return said("cosigned")
    return said("refused", f"it keeps answering that it holds {held} entries")


def cosigned_note(led: OpenLedger, size: int | None = None) -> str:
    """The checkpoint of `size` (default: the newest) with every cosignature kept for it."""
    cp = led.store.checkpoint(size)
    with led.engine.connect() as conn:
        return kept.with_cosignatures(cp.note, kept.on_checkpoint(conn, cp.size))


@dataclass(frozen=True)
class WitnessState:
    witness: WitnessConfig
    last_cosigned: int | None
    missing: int
    """How many checkpoints were signed after the last one it cosigned: none of them carries
    its cosignature yet (earlier ones are covered by its later cosignature)."""
    first_missing: int | None = None
    last_missing: int | None = None

    def sentence(self, latest: int) -> str:
        w = self.witness
        if w.retired:
            last = f", last cosigned {self.last_cosigned} entries" if self.last_cosigned else ""
            return f"{w.name}: retired, offered nothing{last}."
        if not self.missing:
            return f"{w.name}: cosigned the newest checkpoint ({latest} entries)."
        since = (
            "has cosigned no checkpoint yet"
            if self.last_cosigned is None
            else f"last cosigned the checkpoint of {self.last_cosigned} entries"
        )
        a, b = self.first_missing, self.last_missing
        span = f"{a}" if a == b else f"{a} to {b}"
        return (
            f"{w.name}: MISSING on {self.missing} checkpoint(s) (sizes {span}); it {since}. "
            "Brady offers the newest on its next round ('brady ledger witnesses offer-now' "
            f"does it at once); if this stays, check that {w.url} answers."
        )


@dataclass(frozen=True)
class Status:
    latest: int
    witnesses: tuple[WitnessState, ...]
    problems: list[str] = field(default_factory=list)
    """Kept cosignatures that do not verify with the keys brady.toml lists."""

    @property
    def complete(self) -> bool:
        return not self.problems and not any(
            s.missing for s in self.witnesses if not s.witness.retired
        )


def status(led: OpenLedger) -> Status:
    """Which witness has cosigned what, which checkpoints lack whose cosignature, and any
    kept cosignature that does not verify."""
    configured = witness_settings(led.config)
    latest = led.store.checkpoint().size
    states = []
    with led.engine.connect() as conn:
        for w in configured:
            last = kept.last_cosigned(conn, w.name)
            count, first, final = (
                (0, None, None) if w.retired else kept.checkpoints_after(conn, last or 0)
            )
            states.append(WitnessState(w, last, count, first, final))
        bad = kept.problems(conn, [w.cosigner for w in configured])
    return Status(latest, tuple(states), bad)


def check_kept(led: OpenLedger, witnesses: Sequence[Cosigner] | None = None) -> list[str]:
    """For `brady verify`: every kept cosignature checked with the witness keys (default:
    brady.toml's); a changed row is reported, never trusted."""
    keys = cosigners(led) if witnesses is None else witnesses
    with led.engine.connect() as conn:
        return kept.problems(conn, keys)


def meets(led: OpenLedger, policy: WitnessPolicy) -> tuple[int, dict[str, object]]:
    """For `brady verify --witness ... --quorum K`: the newest checkpoint that the policy's
    quorum cosigned, checked with their keys, as (size, the cosignatures found). Raises
    QuorumError naming who has not cosigned the newest checkpoint when none qualifies, or
    NoteError when a kept line claiming a given witness does not verify."""
    with led.engine.connect() as conn:
        size = kept.newest_cosigned(conn, [w.vkey() for w in policy.witnesses], policy.quorum)
    note = cosigned_note(led, size)  # None: the newest, to name who is missing on it
    return led.store.checkpoint(size).size, dict(policy.check(note, "the newest checkpoint"))
