"""A witness's folder: its name (witness.toml), its private key (witness.key, readable
by its owner only) and its database (witness.db).

The key is the witness's identity: whoever holds it can cosign in its name, so the file
is created 0600 and a key file others can read is refused rather than used.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..ledger.cosignature import Cosigner
from ..ledger.ed25519 import SEED_SIZE, Signer
from ..ledger.errors import LedgerError
from ..ledger.note import Verifier, check_key_name
from .service import Witness
from .store import WitnessStore, open_engine

CONFIG = "witness.toml"
KEY = "witness.key"
DATABASE = "witness.db"


class WitnessHomeError(Exception):
    """The witness folder is missing, incomplete or unsafe; the message says what to do."""


@dataclass(frozen=True)
class WitnessHome:
    path: Path
    name: str

    @property
    def key_file(self) -> Path:
        return self.path / KEY


def init_witness(path: Path, name: str) -> Cosigner:
    """Create a witness folder with a new Ed25519 key; returns its public identity."""
    check_key_name(name)
    path.mkdir(parents=True, exist_ok=True)
    if (path / CONFIG).exists() or (path / KEY).exists():
        raise WitnessHomeError(f"{path} already holds a witness; use another folder")
    signer = Signer.generate()
    fd = os.open(path / KEY, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.b64encode(signer.seed).decode() + "\n")
    (path / CONFIG).write_text(f"name = {json.dumps(name)}\ndatabase = {json.dumps(DATABASE)}\n")
    open_engine(path / DATABASE).dispose()
    return Cosigner(name, signer.public_key)


def _read_key(path: Path) -> Signer:
    key = path / KEY
    try:
        mode = key.stat().st_mode
    except FileNotFoundError as exc:
        raise WitnessHomeError(f"{key} is missing: this folder holds no witness key") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise WitnessHomeError(
            f"{key} can be read by other users of this computer; make it private with "
            f"'chmod 600 {key}' (and consider the key exposed if others did read it)"
        )
    try:
        seed = base64.b64decode(key.read_text().strip(), validate=True)
    except ValueError as exc:
        raise WitnessHomeError(f"{key} is not a witness key file") from exc
    if len(seed) != SEED_SIZE:
        raise WitnessHomeError(f"{key} is not a witness key file")
    return Signer(seed)


def read_home(path: Path) -> tuple[WitnessHome, str]:
    """The folder's name and database file name, from witness.toml."""
    try:
        config = tomllib.loads((path / CONFIG).read_text())
    except FileNotFoundError as exc:
        raise WitnessHomeError(
            f"{path} holds no witness; create one with 'brady witness init NAME --dir {path}'"
        ) from exc
    name, database = config.get("name"), config.get("database", DATABASE)
    if not isinstance(name, str) or not isinstance(database, str):
        raise WitnessHomeError(f"{path / CONFIG} must give name and database as text")
    return WitnessHome(path, name), database


def open_witness(path: Path) -> Witness:
    """The witness of this folder, ready to cosign (close with `close_witness`)."""
    home, database = read_home(path)
    signer = _read_key(path)
    return Witness(home.name, signer, WitnessStore(open_engine(path / database)))


def close_witness(witness: Witness) -> None:
    witness.store.close()


def follow_log(witness: Witness, origin: str, vkey: str) -> bool:
    """Follow a log (its origin and its verifier key); False if already followed so."""
    try:
        verifier = Verifier.from_vkey(vkey)
    except LedgerError as exc:
        raise WitnessHomeError(f"that is not a log's public key: {exc}") from exc
    if verifier.name != origin:
        raise WitnessHomeError(
            f"the key is named {verifier.name!r}, not {origin!r}: a log's key carries its "
            "origin as its name ('brady ledger key' prints both)"
        )
    try:
        return witness.store.add_log(origin, verifier.vkey())
    except ValueError as exc:
        raise WitnessHomeError(str(exc)) from exc
