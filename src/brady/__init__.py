"""Brady: the record of evidence on one verifiable ledger."""
