"""A verifier's witness policy: which witnesses it trusts and how many must have cosigned.

A checkpoint signed by the log alone shows the history the agency chose to show this
reader. Cosigned by witnesses the reader trusts (a court clerk's office, a defense firm),
it is the history those witnesses were shown too, since each cosigns only checkpoints
consistent with every one it cosigned before. brady-verify and `brady verify` refuse a
checkpoint that carries fewer than the quorum of valid cosignatures, naming who is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .cosignature import Cosignature, Cosigner, cosignatures_on
from .errors import NoteError


class QuorumError(NoteError):
    """Too few of the trusted witnesses cosigned the checkpoint."""

    advice = (
        "The checkpoint may still be genuine, but the witnesses you rely on have not vouched "
        "for it. Ask the agency for a checkpoint those witnesses cosigned (or ask them)."
    )


@dataclass(frozen=True)
class WitnessPolicy:
    witnesses: tuple[Cosigner, ...]
    quorum: int

    @classmethod
    def of(cls, vkeys: Sequence[str], quorum: int | None = None) -> WitnessPolicy:
        """From witness verifier keys and a quorum (default: every witness given)."""
        witnesses = tuple(Cosigner.from_vkey(v) for v in vkeys)
        if len({w.vkey() for w in witnesses}) != len(witnesses):
            raise NoteError("a witness key is given twice")
        wanted = len(witnesses) if quorum is None else quorum
        if not 0 <= wanted <= len(witnesses):
            raise NoteError(
                f"a quorum of {wanted} cannot be met by the {len(witnesses)} witness key(s) given"
            )
        return cls(witnesses, wanted)

    def check(self, note: str, what: str = "the checkpoint") -> dict[str, Cosignature]:
        """The valid cosignatures by the policy's witnesses; QuorumError if too few.

        A line that names a trusted witness but does not verify is a NoteError
        (the note was altered); lines of other keys are ignored.
        """
        if not self.witnesses:
            return {}
        found = cosignatures_on(note, self.witnesses)
        if len(found) < self.quorum:
            missing = [w.name for w in self.witnesses if w.vkey() not in found]
            raise QuorumError(
                f"{what} carries {len(found)} valid cosignature(s) of the {self.quorum} "
                f"required from the witnesses given; missing: {', '.join(missing)}"
            )
        return found

    def summary(self, found: dict[str, Cosignature]) -> str:
        """A sentence for the verifier's report (empty without a policy)."""
        if not self.witnesses:
            return ""
        names = ", ".join(sorted(c.name for c in found.values()))
        return (
            f" Cosigned by {len(found)} of the {len(self.witnesses)} witnesses given "
            f"({self.quorum} required): {names}."
        )
