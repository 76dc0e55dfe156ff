"""Content-addressed storage of digital evidence with streaming hashes and fixity checks."""
