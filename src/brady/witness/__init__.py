"""A witness (c2sp.org/tlog-witness) that a court clerk's office or a defense firm runs:
it follows a Brady ledger's checkpoints and cosigns each only if it extends the last one
it cosigned, so the agency cannot show one history to the court and another to the
defense. Independent of the agency's software: it stores only checkpoints, in SQLite,
and depends on nothing of Brady but the ledger's verification code.
"""

__all__ = [
    "client",
    "home",
    "http",
    "request",
    "service",
    "store",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
