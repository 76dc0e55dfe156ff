"""Linking: finds cases an intake may bear on and records each suggestion for review."""
