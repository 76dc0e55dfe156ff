"""Projection tables for cases, people, places and items: the current state.

These are derived from the ledger and can be rebuilt from it at any time
(`brady verify` does, and compares). Unlike the ledger tables they change in
place. A migration that changes them drops and rebuilds them from the ledger
rather than converting rows, so they never hold anything the ledger does not.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

projections = MetaData()


def _id(name: str, **kw: object) -> Column[str]:
    return Column(name, String(80), **kw)  # type: ignore[arg-type]


actor_key = Table(
    "actor_key",
    projections,
    Column("key_id", String(32), primary_key=True),
    Column("holder", Text, nullable=False),
    _id("user_id", nullable=True),
    Column("registered_seq", BigInteger, nullable=False),
)
agency = Table(
    "agency",
    projections,
    _id("agency_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("formats", Text, nullable=False),  # JSON: {"agency": regex, "court": regex}
)
app_user = Table(
    "app_user",
    projections,
    _id("user_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("roles", Text, nullable=False),  # JSON list
    _id("agency_id", nullable=True),
    Column("key_id", String(32), nullable=False),
)
person = Table(
    "person",
    projections,
    _id("person_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("dob", String(10), nullable=True),
)
organization = Table(
    "organization",
    projections,
    _id("org_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("aliases", Text, nullable=False),  # JSON list
    Column("address", Text, nullable=True),
)
location = Table(
    "location",
    projections,
    _id("location_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    _id("parent_id", nullable=True),
)
case_file = Table(
    "case_file",
    projections,
    _id("case_id", primary_key=True),
    Column("title", Text, nullable=False),
    _id("agency_id", nullable=True),
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
    _id("case_id", nullable=False, index=True),
)
case_party = Table(
    "case_party",
    projections,
    _id("case_id", primary_key=True),
    _id("person_id", primary_key=True),
    Column("role", String(30), primary_key=True),
    Column("added_at", String(32), nullable=False),
    # Linking looks up the cases a person is a party to.
    Index("ix_case_party_person", "person_id"),
)
case_assignment = Table(
    "case_assignment",
    projections,
    # Who works a case: prosecutors, defense counsel and judges see only their own cases.
    _id("case_id", primary_key=True),
    _id("user_id", primary_key=True),
    Column("role", String(30), nullable=False),
    Column("assigned_seq", BigInteger, nullable=False),
    Index("ix_case_assignment_user", "user_id"),
)
defendant = Table(
    "defendant",
    projections,
    _id("case_id", primary_key=True),
    _id("person_id", primary_key=True),
    Column("charges", Text, nullable=False),  # JSON list
    Column("charged_on", String(10), nullable=False),
    Column("arraigned_on", String(10), nullable=True),
)
item = Table(
    "item",
    projections,
    _id("item_id", primary_key=True),
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
    _id("parent_id", nullable=True, index=True),
    Column("status", String(20), nullable=False, index=True),
    _id("custodian", nullable=False),
    _id("location_id", nullable=True),
    Column("since", String(32), nullable=False),
    _id("pending_to", nullable=True),
    Column("checkout_to", Text),
    Column("checkout_purpose", String(20)),
    Column("due_back", String(10)),
    Column("disposition", String(20)),  # requested | approved | done
    Column("disposition_method", String(20)),
    _id("disposition_requested_by", nullable=True),
    Column("intake_seq", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
)
item_case = Table(
    "item_case",
    projections,
    _id("item_id", primary_key=True),
    _id("case_id", primary_key=True, index=True),
    Column("seq", BigInteger, nullable=False),
)
item_event = Table(
    "item_event",
    projections,
    _id("item_id", primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("kind", String(100), nullable=False),
    Column("occurred_at", String(32), nullable=False),
    _id("actor", nullable=False),
)
item_file = Table(
    "item_file",
    projections,
    _id("item_id", primary_key=True),
    Column("sha256", String(64), primary_key=True, index=True),
    Column("name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("media_type", Text),
    Column("seq", BigInteger, nullable=False),
)
lab_request = Table(
    "lab_request",
    projections,
    _id("request_id", primary_key=True),
    Column("lab", Text, nullable=False),
    Column("item_ids", Text, nullable=False),  # JSON list
    Column("examinations", Text, nullable=False),
    Column("requested_at", String(32), nullable=False),
    _id("requested_by", nullable=False),
    Column("result_at", String(32)),
    Column("findings", Text),
    Column("report_sha256", String(64)),
)
inventory = Table(
    "inventory",
    projections,
    _id("inventory_id", primary_key=True),
    Column("scope", String(10), nullable=False),
    _id("location_id", nullable=True),
    Column("expected", Text, nullable=False),  # JSON list of item ids
    Column("population", Integer, nullable=False),
    Column("seed", String(32)),
    Column("started_at", String(32), nullable=False),
    _id("started_by", nullable=False),
    Column("closed_at", String(32)),
    Column("found", Text),  # JSON lists, set at close
    Column("missing", Text),
    Column("unexpected", Text),
)
inventory_scan = Table(
    "inventory_scan",
    projections,
    _id("inventory_id", primary_key=True),
    _id("item_id", primary_key=True),
    _id("location_id", nullable=True),
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

mention_index = Table(
    "mention_index",
    projections,
    # owner: "item", "case", "person" or "organization"; key: a normalized mention key
    Column("owner_kind", String(20), primary_key=True),
    _id("owner_id", primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("text", Text, nullable=False),
    # Lookups go by what is mentioned, then by whose mention it is.
    Index("ix_mention_kind_key", "kind", "key", "owner_kind", "owner_id"),
)
linking_pattern = Table(
    "linking_pattern",
    projections,
    # The extra extraction patterns an administrator recorded (linking.patterns):
    # kind "case_number" (regex, key ""), "caliber" (key -> regex), "make" (written -> key).
    Column("kind", String(20), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("pattern", Text, primary_key=True),
)
link_suggestion = Table(
    "link_suggestion",
    projections,
    _id("suggestion_id", primary_key=True),
    _id("item_id", nullable=False, index=True),
    _id("case_id", nullable=False, index=True),
    Column("score", String(8), nullable=False),  # decimal text: exact on every database
    Column("reasons", Text, nullable=False),  # JSON list
    Column("status", String(10), nullable=False),  # open | accepted | rejected
    Column("suggested_seq", BigInteger, nullable=False),
    _id("decided_by", nullable=True),
    Column("decided_at", String(32)),
    Column("decision_reason", Text),
)
