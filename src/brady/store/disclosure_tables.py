"""Projection tables for disclosure: adopted rule sets, each case's rules, requests,
flags, withholdings, productions and receipts. Derived from the ledger like the custody
tables (store/custody_tables.py); due dates are not stored but computed when read,
from the rule set recorded on the ledger."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, String, Table, Text

from .custody_tables import id_column, projections

rule_set = Table(
    "rule_set",
    projections,
    Column("rule_set_id", String(64), primary_key=True),
    Column("body", Text, nullable=False),  # JSON: the adopted rule set, deadlines filled in
    Column("adopted_seq", BigInteger, nullable=False),
)
case_rules = Table(
    "case_rules",
    projections,
    id_column("case_id", primary_key=True),
    Column("rule_set_id", String(64), nullable=False),
    Column("in_custody", Boolean, nullable=True),
    Column("seq", BigInteger, nullable=False),
)
disclosure_request = Table(
    "disclosure_request",
    projections,
    Column("seq", BigInteger, primary_key=True),
    id_column("case_id", nullable=False, index=True),
    Column("requested_at", String(32), nullable=False),
    Column("requested_by", Text, nullable=False),
)
disclosure_flag = Table(
    "disclosure_flag",
    projections,
    id_column("case_id", primary_key=True),
    Column("unit", String(100), primary_key=True),
    Column("exculpatory", Boolean, nullable=False),
    Column("impeachment", Boolean, nullable=False),
    Column("note", Text, nullable=True),
)
withholding = Table(
    "withholding",
    projections,
    id_column("case_id", primary_key=True),
    Column("unit", String(100), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("order_ref", Text, nullable=False),
    id_column("requested_by", nullable=False),
    Column("requested_at", String(32), nullable=False),
    id_column("approved_by", nullable=True),
    Column("approved_at", String(32), nullable=True),
)
production = Table(
    "production",
    projections,
    id_column("production_id", primary_key=True),
    id_column("case_id", nullable=False, index=True),
    Column("produced_at", String(32), nullable=False),
    id_column("produced_by", nullable=False),
    Column("recipient", Text, nullable=False),
    Column("bag_sha256", String(64), nullable=False),
    Column("checkpoint_size", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
)
production_unit = Table(
    "production_unit",
    projections,
    id_column("production_id", primary_key=True),
    Column("unit", String(100), primary_key=True),
    Column("bates", String(40), nullable=False),
    id_column("case_id", nullable=False, index=True),
)
receipt = Table(
    "receipt",
    projections,
    id_column("production_id", primary_key=True),
    Column("received_by", Text, nullable=False),
    Column("received_at", String(32), nullable=False),
    Column("bag_sha256", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

TABLES = (
    rule_set,
    case_rules,
    disclosure_request,
    disclosure_flag,
    withholding,
    production,
    production_unit,
    receipt,
)
