"""Disclosure: obligations from jurisdiction rule files, productions, receipts, compliance."""
