"""Accounts: passwords, sign-in with lockout, browser sessions, API tokens, and the
access log they write to. Roles and case assignments live on the ledger; secrets do not."""

__all__ = [
    "anchors",
    "permissions",
    "service",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
