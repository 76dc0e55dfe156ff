"""The ledger: RFC 6962 Merkle tree, canonical signed entries, C2SP checkpoints and proofs.

Depends on nothing else in Brady (only relative imports), so the same files ship
as the stand-alone verifier the defense installs.
"""
