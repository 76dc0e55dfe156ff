"""Permission changes on the ledger: roles, case assignments, a user's signing key.

Who may see and do what is part of the record a court may ask about ("could the
defense have seen this on that day?"), so each change is a signed event, made by
an administrator through the one write path of the custody session.
"""

from __future__ import annotations

from ..custody.service import Session, held_to, user_holder
from ..domain.errors import RefusedError
from ..domain.vocabulary import AssignmentRole, UserRole
from ..ledger.ed25519 import Signer
from ..ledger.entry import Entry
from ..ledger.keyring import register_event, revoke_event, rotate_event
from ..ledger_home import ADMIN_HOLDER
from ..store import access_queries
from ..store.keys import ACTOR, load_role, save_key

_ROLE_FOR = {
    AssignmentRole.PROSECUTOR: UserRole.PROSECUTOR,
    AssignmentRole.DEFENSE_COUNSEL: UserRole.DEFENSE_COUNSEL,
    AssignmentRole.JUDGE: UserRole.JUDGE,
}


class Permissions:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.conn = session.conn

    def _user(self, user_id: str) -> tuple[set[str], str]:
        found = access_queries.user_roles_and_key(self.conn, user_id)
        if found is None:
            raise RefusedError(f"{user_id!r} is not a Brady user", "user_id")
        return found

    @held_to(("admin", None))
    def set_roles(
        self, by: str, user_id: str, roles: list[str], agency_id: str | None, reason: str
    ) -> Entry:
        self.s.require_admin(by)
        self._user(user_id)
        if by == user_id and UserRole.ADMIN not in roles:
            raise RefusedError(
                "an administrator cannot take away their own administration", "roles"
            )
        return self.s.record(
            by,
            "user.roles",
            {"user_id": user_id, "roles": roles, "agency_id": agency_id, "reason": reason},
            [f"user:{user_id}"],
        )

    @held_to(("admin", None))
    def assign(self, by: str, case_id: str, user_id: str, role: str) -> Entry:
        """Give a prosecutor, defense counsel or judge a case to work (and to see)."""
        self.s.require_admin(by)
        self.s.require_case(case_id)
        roles, _ = self._user(user_id)
        try:
            as_role = AssignmentRole(role)
        except ValueError as exc:
            allowed = ", ".join(r.value for r in AssignmentRole)
            raise RefusedError(f"role {role!r} is not one of {allowed}", "role") from exc
        if _ROLE_FOR[as_role] not in roles:
            raise RefusedError(
                f"{user_id} is not a {as_role.value.replace('_', ' ')} (roles: "
                f"{', '.join(sorted(roles))}); change their roles first",
                "user_id",
            )
        return self.s.record(
            by,
            "case.assign",
            {"case_id": case_id, "user_id": user_id, "role": as_role.value},
            [f"case:{case_id}", f"user:{user_id}"],
        )

    @held_to(("admin", None))
    def unassign(self, by: str, case_id: str, user_id: str, reason: str) -> Entry:
        self.s.require_admin(by)
        if not access_queries.is_assigned(self.conn, case_id, user_id):
            raise RefusedError(f"{user_id} is not assigned to {case_id}", "user_id")
        return self.s.record(
            by,
            "case.unassign",
            {"case_id": case_id, "user_id": user_id, "reason": reason},
            [f"case:{case_id}", f"user:{user_id}"],
        )

    def _admin_signer(self) -> Signer:
        led = self.s.custody.led
        if led.master is None:
            raise RefusedError("this ledger was opened read-only")
        return load_role(self.conn, led.master, ACTOR, ADMIN_HOLDER)

    @held_to(("admin", None))
    def rotate_key(self, by: str, user_id: str, reason: str) -> Entry:
        """A new signing key for the user; the old one signs nothing after this point."""
        return self._replace_key(by, user_id, reason, revoke=False)

    @held_to(("admin", None))
    def revoke_key(self, by: str, user_id: str, reason: str) -> Entry:
        """The user's key is revoked (lost, leaked) and a fresh one registered in its place."""
        return self._replace_key(by, user_id, reason, revoke=True)

    def _replace_key(self, by: str, user_id: str, reason: str, revoke: bool) -> Entry:
        self.s.require_admin(by)
        _, old_key = self._user(user_id)
        led = self.s.custody.led
        assert led.master is not None
        fresh = Signer.generate()
        save_key(self.conn, led.master, fresh, ACTOR, user_holder(user_id))
        admin = self._admin_signer()
        if revoke:
            events = [
                revoke_event(old_key, reason),
                register_event(fresh.public_key, user_holder(user_id)),
            ]
        else:
            events = [rotate_event(old_key, fresh.public_key)]
        self.s.w.append(admin, events)
        self.s.forget_signer(user_id)
        new_key = access_queries.user_key_id(self.conn, user_id)
        return self.s.record(
            by,
            "user.key",
            {
                "user_id": user_id,
                "action": "revoke" if revoke else "rotate",
                "old_key_id": old_key,
                "new_key_id": new_key,
                "reason": reason,
            },
            [f"user:{user_id}"],
        )
