"""Who may see and do what: pure rules over the facts of a request (no I/O)."""
