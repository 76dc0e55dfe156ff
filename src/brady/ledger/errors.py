"""Ledger errors: a technical message plus what to tell a person.

Every failure names what was checked, what was expected and what was found, so
that `brady verify` and the stand-alone verifier can print a precise report.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every ledger failure.

    `diagnostics()` is the plain-English text for clerks and lawyers: what
    happened and what to do next. `str(err)` stays technical.
    """

    advice = (
        "Keep the ledger database and this output unchanged and contact your Brady administrator."
    )

    def diagnostics(self) -> str:
        return f"{self}\n{self.advice}"


class ProofError(LedgerError):
    """A Merkle proof does not prove what it claims."""

    advice = (
        "The proof does not match the checkpoint. Ask the agency for a fresh proof; "
        "if it still fails, the ledger may have been altered."
    )


class RootMismatchError(ProofError):
    """The root a proof leads to is not the root it was checked against."""

    def __init__(self, expected: bytes, calculated: bytes) -> None:
        self.expected = expected
        self.calculated = calculated
        super().__init__(f"root mismatch: expected {expected.hex()}, calculated {calculated.hex()}")


class EntryError(LedgerError):
    """An entry is malformed, not canonical, too large or wrongly signed."""

    def __init__(self, message: str, seq: int | None = None) -> None:
        self.seq = seq
        prefix = f"entry {seq}: " if seq is not None else ""
        super().__init__(prefix + message)


class SignatureError(EntryError):
    """A signature does not verify under the key that should have made it."""


class NoteError(LedgerError):
    """A signed note or checkpoint is malformed or its signature does not verify."""

    advice = (
        "The checkpoint is not one this log signed, or it was altered. "
        "Compare it with the copy you were given and with the log's public key."
    )


class TamperError(LedgerError):
    """Stored data disagrees with what the ledger itself proves."""

    advice = (
        "The stored ledger no longer matches its own signatures and checkpoints: "
        "someone or something changed it outside Brady. Stop writing to it, keep a copy "
        "of the database as it is, and contact your Brady administrator."
    )

    def __init__(self, message: str, seq: int | None = None) -> None:
        self.seq = seq
        super().__init__(message)
