"""Custody services: intake, transfer, check-out and return, move, inventory, disposition."""
