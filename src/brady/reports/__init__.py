"""Reports: chain of custody, disclosure, labels, exports; only facts the projections hold."""

__all__ = [
    "case_uco",
    "chain_of_custody",
    "labels",
    "render",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
