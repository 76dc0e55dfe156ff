"""The ledger: RFC 6962 Merkle tree, canonical signed entries, C2SP checkpoints and proofs.

Depends on nothing else in Brady (only relative imports), so the same files ship
as the stand-alone verifier the defense installs.
"""

__all__ = [
    "audit",
    "checkpoint",
    "cosignature",
    "ed25519",
    "entry",
    "equivocation",
    "errors",
    "hashing",
    "keyring",
    "note",
    "proof",
    "ranges",
    "tiles",
    "tree",
    "witness_policy",
]
"""The modules other parts of Brady may import; the rest are this package's own."""
