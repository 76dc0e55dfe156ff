"""Every field a person states in an event can be given on the command line: the CLI is a
face like the API, and an event the API can record in full must not lose a field (a time,
an agency, a reason) when it is recorded from a terminal.

What the person states is the event's `...Fields` model where it has one (the rest is
Brady's to fill in: a key id, an inventory's expected list), else the payload model. A few
option names differ from the field they fill, for a terminal's sake (`--case` fills
`case_ids`); those are listed here, and an option missing altogether fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from typer.main import get_command

from brady.cli.app import app
from brady.domain import events as ev

COMMANDS: dict[str, tuple[str, type[ev.Payload]]] = {
    "agency.add": ("agency add", ev.AgencyAdd),
    "user.add": ("user add", ev.UserAddFields),
    "user.roles": ("user roles", ev.UserRoles),
    "user.key": ("user key", ev.UserKey),
    "person.add": ("person add", ev.PersonAdd),
    "organization.add": ("person org", ev.OrganizationAdd),
    "location.add": ("location add", ev.LocationAdd),
    "case.open": ("case open", ev.CaseOpen),
    "case.add_number": ("case number", ev.CaseAddNumber),
    "case.add_party": ("case party", ev.CaseAddParty),
    "case.assign": ("case assign", ev.CaseAssign),
    "case.unassign": ("case unassign", ev.CaseUnassign),
    "case.charge": ("case charge", ev.CaseCharge),
    "case.arraign": ("case arraign", ev.CaseArraign),
    "case.close": ("case close", ev.CaseClose),
    "item.intake": ("item intake", ev.ItemIntakeFields),
    "item.transfer": ("item transfer", ev.ItemTransfer),
    "item.receive": ("item receive", ev.ItemReceive),
    "item.transfer_cancel": ("item cancel-transfer", ev.ItemTransferCancel),
    "item.disposition_withdraw": ("item dispose-withdraw", ev.DispositionWithdraw),
    "item.checkout": ("item checkout", ev.ItemCheckout),
    "item.checkin": ("item checkin", ev.ItemCheckin),
    "item.move": ("item move", ev.ItemMove),
    "item.split": ("item split", ev.ItemSplitFields),
    "item.file_case": ("item file", ev.ItemFileCase),
    "item.disposition_request": ("item dispose-request", ev.DispositionRequest),
    "item.disposition_approve": ("item dispose-approve", ev.DispositionApprove),
    "item.disposition": ("item dispose", ev.DispositionDone),
    "file.attach": ("item attach", ev.FileAttach),
    "lab.request": ("lab request", ev.LabRequest),
    "lab.result": ("lab result", ev.LabResult),
    "inventory.start": ("inventory start", ev.InventoryStartFields),
    "inventory.scan": ("inventory scan", ev.InventoryScan),
    "inventory.close": ("inventory close", ev.InventoryClose),
    "link.accept": ("links accept", ev.LinkAccept),
    "link.reject": ("links reject", ev.LinkReject),
    "relation.accept": ("links related-accept", ev.RelationAccept),
    "relation.reject": ("links related-reject", ev.RelationReject),
    "record.correct": ("item correct", ev.Correction),
    "linking.patterns": ("links set-patterns", ev.LinkingPatterns),
    "case.rules": ("disclosure rules", ev.CaseRules),
    "disclosure.request": ("disclosure request", ev.DisclosureRequest),
    "disclosure.flag": ("disclosure flag", ev.DisclosureFlag),
    "disclosure.withhold": ("disclosure withhold", ev.WithholdRequest),
    "disclosure.withhold_approve": ("disclosure approve-withholding", ev.WithholdApprove),
    "disclosure.receipt": ("disclosure receipt", ev.DisclosureReceiptFields),
}
BRADYS_OWN = {
    "link.suggest": "linking records its own suggestions",
    "relation.suggest": "linking relates cases sharing a party (`brady links find-related`)",
    "file.read": "linking records what it read in a file",
    "access.anchor": "the server fixes the access log's head (`brady access anchor` computes it)",
    "linking.model": "learned from the reviews (`brady links train` computes every weight)",
    "rules.adopt": "a rule set file with its settings (`brady disclosure adopt` fills it in)",
    "disclosure.produce": "built from the case (`brady disclosure produce` numbers the units)",
    "blobs.migrate": "what `brady blobs migrate` copied and checked, recorded when it ends",
}
"""Events whose fields Brady works out; the person gives what it is made from."""
FILLED = {
    "file.attach": {"sha256", "size", "name"},  # from the file itself
    "user.key": {"old_key_id", "new_key_id"},  # Brady makes the keys
}
OPTION_FOR = {
    "occurred_at": {"occurred_at", "at"},
    "case_ids": {"case"},
    "case_id": {"case"},
    "seals": {"seal"},
    "location_id": {"location"},
    "parent_id": {"parent"},
    "agency_id": {"agency"},
    "aliases": {"alias"},
    "roles": {"role"},
    "to_user": {"to"},
    "due_back": {"due"},
    "seal_intact": {"seal_broken"},
    "charges": {"charge"},
    "charged_on": {"on"},
    "arraigned_on": {"on"},
    "numbers": {"agency_number", "court_number"},
    "new_item_id": {"new_id"},
    "item_ids": {"item"},
    "scope": {"sample"},
    "action": {"revoke"},
    "target_seq": {"entry"},
    "requested_by": {"counsel"},
    "received_by": {"counsel"},
    "bag_sha256": {"bag_hash_", "bag"},
    "order_ref": {"order"},
    "rule_set_id": {"rule_set"},
    "case_numbers": {"case_number"},
    "calibers": {"caliber"},
    "makes": {"make"},
    "places": {"place"},
    "case_number_formats": {"case_number_format"},
    "number": {"kind", "number"},
}


def _commands() -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}

    def walk(c: click.Command, path: list[str]) -> Iterator[None]:
        subs = getattr(c, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            found[" ".join(path)] = c
            yield None

    list(walk(get_command(app), []))
    return found


def test_every_event_a_person_records_has_a_command() -> None:
    assert set(COMMANDS) | set(BRADYS_OWN) == set(ev.PAYLOADS)


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_every_field_has_an_option(kind: str) -> None:
    path, model = COMMANDS[kind]
    command = _commands().get(path)
    assert command is not None, f"no command `brady {path}` records {kind}"
    params = {p.name for p in command.params}
    missing = [
        field
        for field in model.model_fields
        if field not in FILLED.get(kind, set())
        and field not in params
        and not (OPTION_FOR.get(field, set()) & params)
    ]
    assert not missing, f"`brady {path}` has no option for {kind}'s {missing}"
