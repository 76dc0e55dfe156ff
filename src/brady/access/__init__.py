"""Who may see and do what: pure rules over the facts of a request (no I/O)."""

__all__ = [
    "decide",
    "policy",
    "produced",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
