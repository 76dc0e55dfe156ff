"""Projection tables for cases, people, places and items: the current state.

These are derived from the ledger and can be rebuilt from it at any time
(`brady verify` does, and compares). Unlike the ledger tables they change in
place. A migration that changes them drops and rebuilds them from the ledger
rather than converting rows, so they never hold anything the ledger does not.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

projections = MetaData()


def id_column(name: str, **kw: object) -> Column[str]:
    return Column(name, String(80), **kw)  # type: ignore[arg-type]


actor_key = Table(
    "actor_key",
    projections,
    Column("key_id", String(32), primary_key=True),
    Column("holder", Text, nullable=False),
    id_column("user_id", nullable=True),
    Column("registered_seq", BigInteger, nullable=False),
)
agency = Table(
    "agency",
    projections,
    id_column("agency_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("formats", Text, nullable=False),  # JSON: {"agency": regex, "court": regex}
)
app_user = Table(
    "app_user",
    projections,
    id_column("user_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("roles", Text, nullable=False),  # JSON list
    id_column("agency_id", nullable=True),
    Column("key_id", String(32), nullable=False),
)
person = Table(
    "person",
    projections,
    id_column("person_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("dob", String(10), nullable=True),
)
organization = Table(
    "organization",
    projections,
    id_column("org_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("address", Text, nullable=True),
)
location = Table(
    "location",
    projections,
    id_column("location_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    id_column("parent_id", nullable=True),
)
case_file = Table(
    "case_file",
    projections,
    id_column("case_id", primary_key=True),
    Column("title", Text, nullable=False),
    id_column("agency_id", nullable=True),
    Column("status", String(20), nullable=False),
    Column("opened_at", String(32), nullable=False),
    Column("closed_at", String(32), nullable=True),
    Column("narrative", Text, nullable=True),
)
case_number = Table(
    "case_number",
    projections,
    Column("kind", String(20), primary_key=True),
    Column("number", String(80), primary_key=True),
    id_column("case_id", nullable=False, index=True),
)
case_party = Table(
    "case_party",
    projections,
    id_column("case_id", primary_key=True),
    id_column("person_id", primary_key=True),
    Column("role", String(30), primary_key=True),
    Column("added_at", String(32), nullable=False),
    # Linking looks up the cases a person is a party to.
    Index("ix_case_party_person", "person_id"),
)
case_assignment = Table(
    "case_assignment",
    projections,
    # Who works a case: prosecutors, defense counsel and judges see only their own cases.
    id_column("case_id", primary_key=True),
    id_column("user_id", primary_key=True),
    Column("role", String(30), nullable=False),
    Column("assigned_seq", BigInteger, nullable=False),
    Index("ix_case_assignment_user", "user_id"),
)
defendant = Table(
    "defendant",
    projections,
    id_column("case_id", primary_key=True),
    id_column("person_id", primary_key=True),
    Column("charges", Text, nullable=False),  # JSON list
    Column("charged_on", String(10), nullable=False),
    Column("arraigned_on", String(10), nullable=True),
)
item = Table(
    "item",
    projections,
    id_column("item_id", primary_key=True),
    Column("category", String(30), nullable=False),
    Column("description", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("make", Text),
    Column("model", Text),
    Column("serial", Text),
    Column("caliber", Text),
    Column("packaging", Text),
    Column("seals", Text, nullable=False),  # JSON list
    Column("found_at", Text),
    Column("received_from", Text),
    Column("narrative", Text),
    id_column("parent_id", nullable=True, index=True),
    Column("status", String(20), nullable=False, index=True),
    id_column("custodian", nullable=False),
    id_column("location_id", nullable=True),
    Column("since", String(32), nullable=False),
    id_column("pending_to", nullable=True),
    Column("checkout_to", Text),
    Column("checkout_purpose", String(20)),
    Column("due_back", String(10)),
    Column("disposition", String(20)),  # requested | approved | done
    Column("disposition_method", String(20)),
    id_column("disposition_requested_by", nullable=True),
    Column("intake_seq", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
)
item_case = Table(
    "item_case",
    projections,
    id_column("item_id", primary_key=True),
    id_column("case_id", primary_key=True, index=True),
    Column("seq", BigInteger, nullable=False),
)
item_event = Table(
    "item_event",
    projections,
    id_column("item_id", primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("kind", String(100), nullable=False),
    Column("occurred_at", String(32), nullable=False),
    id_column("actor", nullable=False),
)
item_file = Table(
    "item_file",
    projections,
    id_column("item_id", primary_key=True),
    Column("sha256", String(64), primary_key=True, index=True),
    Column("name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("media_type", Text),
    Column("seq", BigInteger, nullable=False),
)
lab_request = Table(
    "lab_request",
    projections,
    id_column("request_id", primary_key=True),
    Column("lab", Text, nullable=False),
    Column("item_ids", Text, nullable=False),  # JSON list
    Column("examinations", Text, nullable=False),
    Column("requested_at", String(32), nullable=False),
    id_column("requested_by", nullable=False),
    Column("result_at", String(32)),
    Column("findings", Text),
    Column("report_sha256", String(64)),
)
inventory = Table(
    "inventory",
    projections,
    id_column("inventory_id", primary_key=True),
    Column("scope", String(10), nullable=False),
    id_column("location_id", nullable=True),
    Column("expected", Text, nullable=False),  # JSON list of item ids
    Column("population", Integer, nullable=False),
    Column("seed", String(32)),
    Column("started_at", String(32), nullable=False),
    id_column("started_by", nullable=False),
    Column("closed_at", String(32)),
    Column("found", Text),  # JSON lists, set at close
    Column("missing", Text),
    Column("unexpected", Text),
)
inventory_scan = Table(
    "inventory_scan",
    projections,
    id_column("inventory_id", primary_key=True),
    id_column("item_id", primary_key=True),
    id_column("location_id", nullable=True),
    Column("status_then", String(20)),  # the item's status when scanned (None: unknown id)
    Column("seq", BigInteger, nullable=False),
)
correction = Table(
    "correction",
    projections,
    Column("seq", BigInteger, primary_key=True),
    Column("target_seq", BigInteger, nullable=False, index=True),
    Column("field", String(40), nullable=False),
    Column("value", Text, nullable=True),  # JSON
    Column("reason", Text, nullable=False),
    Column("applied", Boolean, nullable=False),
)

link_suggestion = Table(
    "link_suggestion",
    projections,
    id_column("suggestion_id", primary_key=True),
    id_column("item_id", nullable=False, index=True),
    id_column("case_id", nullable=False, index=True),
    Column("score", String(8), nullable=False),  # decimal text: exact on every database
    Column("reasons", Text, nullable=False),  # JSON list
    # JSON list: what it rested on ('serial:KT4471'), to tell new evidence from old
    Column("evidence", Text, nullable=False, server_default="[]"),
    Column("status", String(10), nullable=False),  # open | accepted | rejected
    Column("suggested_seq", BigInteger, nullable=False),
    id_column("decided_by", nullable=True),
    Column("decided_at", String(32)),
    Column("decision_reason", Text),
    # The related-cases suggestion it follows (it rests only on a party both cases share).
    id_column("relation_id", nullable=True, index=True),
)
case_relation = Table(
    "case_relation",
    projections,
    # One row per side and shared party: may the items of other_case_id that name the
    # relation's parties bear on case_id? (A side is decided whole, for all its parties.)
    id_column("relation_id", primary_key=True),
    id_column("case_id", primary_key=True),
    id_column("person_id", primary_key=True),
    id_column("other_case_id", nullable=False, index=True),
    Column("reasons", Text, nullable=False),  # JSON list
    Column("status", String(10), nullable=False),  # open | accepted | rejected
    Column("suggested_seq", BigInteger, nullable=False),
    id_column("decided_by", nullable=True),
    Column("decided_at", String(32)),
    Column("decision_reason", Text),
)
