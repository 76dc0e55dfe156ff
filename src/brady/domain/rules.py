"""Custody rules: what a property room allows, decided on a snapshot of current state.

Pure functions: they read snapshots (taken under the ledger's write lock) and
either return or raise RefusedError saying what is wrong and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import RefusedError
from .vocabulary import ItemStatus, UserRole


@dataclass(frozen=True)
class UserState:
    user_id: str
    name: str
    roles: frozenset[str]

    def has(self, *roles: UserRole) -> bool:
        return bool(self.roles & {str(r) for r in roles}) or str(UserRole.ADMIN) in self.roles


@dataclass(frozen=True)
class ItemState:
    item_id: str
    status: str
    custodian: str
    pending_to: str | None
    location_id: str | None
    quantity: int
    disposition: str | None
    disposition_requested_by: str | None
    case_ids: tuple[str, ...]
    disposition_method: str | None = None


HANDLERS = (UserRole.PROPERTY_CLERK, UserRole.OFFICER, UserRole.LAB_ANALYST, UserRole.SUPERVISOR)


def _holder(item: ItemState, actor: UserState, action: str) -> None:
    if item.custodian != actor.user_id and not actor.has(UserRole.PROPERTY_CLERK):
        raise RefusedError(
            f"{item.item_id} is held by {item.custodian}; only the current custodian "
            f"(or a property clerk) can {action} it"
        )


def _status(item: ItemState, allowed: set[ItemStatus], action: str) -> None:
    if item.status not in {str(s) for s in allowed}:
        why = {
            "checked_out": "it is checked out; check it in first",
            "in_transfer": f"it is being transferred to {item.pending_to}, "
            "who must receive it first",
            "disposed": "it has been disposed of",
            "in_custody": "it is in the property room",
        }[item.status]
        raise RefusedError(f"cannot {action} {item.item_id}: {why}")


def check_intake(actor: UserState, custodian: UserState | None) -> None:
    if not actor.has(*HANDLERS):
        raise RefusedError(f"{actor.user_id} has no role that may take in evidence")
    if custodian is None:
        raise RefusedError("the custodian named is not a Brady user", "custodian")
    if not custodian.has(*HANDLERS):
        raise RefusedError(f"{custodian.user_id} has no role that may hold evidence", "custodian")


def check_transfer(item: ItemState, actor: UserState, to: UserState | None) -> None:
    _status(item, {ItemStatus.IN_CUSTODY}, "transfer")
    if item.custodian != actor.user_id:
        raise RefusedError(
            f"{item.item_id} is held by {item.custodian}; "
            "only the current custodian can transfer it"
        )
    if to is None:
        raise RefusedError("the person it is transferred to is not a Brady user", "to_user")
    if to.user_id == actor.user_id:
        raise RefusedError(f"{actor.user_id} already holds {item.item_id}", "to_user")
    if not to.has(*HANDLERS):
        raise RefusedError(f"{to.user_id} has no role that may hold evidence", "to_user")
    _no_pending_disposition(item, "transfer")


def _no_pending_disposition(item: ItemState, action: str) -> None:
    if item.disposition in {"requested", "approved"}:
        raise RefusedError(
            f"cannot {action} {item.item_id}: its disposition is {item.disposition}; "
            "carry it out or have it withdrawn first"
        )


def check_receive(item: ItemState, actor: UserState) -> None:
    _status(item, {ItemStatus.IN_TRANSFER}, "receive")
    if item.pending_to != actor.user_id:
        raise RefusedError(
            f"{item.item_id} is being transferred to {item.pending_to}, not to {actor.user_id}"
        )


def check_checkout(item: ItemState, actor: UserState, due_back: str, occurred: str) -> None:
    _status(item, {ItemStatus.IN_CUSTODY}, "check out")
    _holder(item, actor, "check out")
    if due_back < occurred[:10]:
        raise RefusedError(f"due-back date {due_back} is before the check-out", "due_back")


def check_checkin(item: ItemState, actor: UserState) -> None:
    _status(item, {ItemStatus.CHECKED_OUT}, "check in")
    _holder(item, actor, "check in")


def check_move(item: ItemState, actor: UserState) -> None:
    _status(item, {ItemStatus.IN_CUSTODY}, "move")
    _holder(item, actor, "move")


def check_split(item: ItemState, actor: UserState, quantity: int) -> None:
    _status(item, {ItemStatus.IN_CUSTODY}, "split")
    _holder(item, actor, "split")
    _no_pending_disposition(item, "split")
    if quantity >= item.quantity:
        raise RefusedError(
            f"{item.item_id} holds {item.quantity}; a split must leave at least one behind",
            "quantity",
        )


def check_file_case(item: ItemState, actor: UserState, case_open: bool | None) -> None:
    """case_open: None when there is no such case."""
    if case_open is None:
        raise RefusedError("no such case", "case_id")
    if not case_open:
        raise RefusedError("that case is closed", "case_id")
    if item.status == ItemStatus.DISPOSED:
        raise RefusedError(f"{item.item_id} has been disposed of")
    if not actor.has(*HANDLERS, UserRole.PROSECUTOR):
        raise RefusedError(f"{actor.user_id} may not file evidence under a case")


def check_disposition_request(item: ItemState, actor: UserState) -> None:
    _status(item, {ItemStatus.IN_CUSTODY, ItemStatus.CHECKED_OUT}, "request disposition of")
    if item.disposition in {"requested", "approved"}:
        raise RefusedError(f"disposition of {item.item_id} is already {item.disposition}")
    if not actor.has(UserRole.PROPERTY_CLERK, UserRole.SUPERVISOR):
        raise RefusedError(f"{actor.user_id} may not request disposition")


def check_disposition_approve(item: ItemState, actor: UserState) -> None:
    if item.disposition != "requested":
        raise RefusedError(f"no disposition of {item.item_id} is waiting for approval")
    if not actor.has(UserRole.SUPERVISOR):
        raise RefusedError("only a supervisor can approve a disposition")
    if actor.user_id == item.disposition_requested_by:
        raise RefusedError("the person who asked for a disposition cannot also approve it")


def check_disposition(
    item: ItemState, actor: UserState, open_cases: list[str], method: str
) -> None:
    _status(item, {ItemStatus.IN_CUSTODY}, "dispose of")
    if item.disposition != "approved":
        raise RefusedError(f"disposition of {item.item_id} needs an approved request first")
    if method != item.disposition_method:
        raise RefusedError(
            f"the approved disposition of {item.item_id} is {item.disposition_method}, "
            f"not {method}; ask for a new approval",
            "method",
        )
    if open_cases:
        raise RefusedError(
            f"{item.item_id} belongs to open case(s) {', '.join(open_cases)}; disposition is "
            "held until they are closed"
        )
    if not actor.has(UserRole.PROPERTY_CLERK, UserRole.SUPERVISOR):
        raise RefusedError(f"{actor.user_id} may not carry out a disposition")


def check_transfer_cancel(item: ItemState, actor: UserState) -> None:
    _status(item, {ItemStatus.IN_TRANSFER}, "cancel the transfer of")
    if item.custodian != actor.user_id and not actor.has(UserRole.SUPERVISOR):
        raise RefusedError(
            f"only {item.custodian}, who handed {item.item_id} over, or a supervisor can "
            "cancel its transfer"
        )


def check_disposition_withdraw(item: ItemState, actor: UserState) -> None:
    if item.disposition not in {"requested", "approved"}:
        raise RefusedError(f"no disposition of {item.item_id} is pending")
    if actor.user_id != item.disposition_requested_by and not actor.has(UserRole.SUPERVISOR):
        raise RefusedError("only the requester or a supervisor can withdraw a disposition")
