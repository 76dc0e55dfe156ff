"""The HTTP API: parse, authorize, call a service, render."""

__all__ = [
    "deps",
    "headers",
    "limits",
    "moments",
    "problems",
    "routes_access",
    "routes_accounts",
    "routes_disclosure",
    "routes_files",
    "routes_ledger",
    "routes_records",
    "routes_work",
    "strict_input",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
