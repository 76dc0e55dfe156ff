"""Witnesses: cosignatures, the witness service and server, split-view proofs."""
