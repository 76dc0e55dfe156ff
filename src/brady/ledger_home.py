"""Creating a ledger home and opening it for reading or writing.

This is where the store meets the services that keep projections of their own (linking's
mention index): the store never imports them, so the list is assembled here.

A home is a folder with brady.toml naming the database and blob folder. The
private keys are sealed in the database; the master key that opens them is
kept outside the home (see sealing.py).
"""

from __future__ import annotations

import secrets
import socket
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect

from .blobs.base import Blobs
from .blobs.factory import open_store
from .blobs.settings import BlobSettings, parse_settings
from .domain.moments import DEFAULT_ZONE, zone
from .ledger.cosignature import Cosigner
from .ledger.ed25519 import Signer
from .ledger.errors import NoteError
from .ledger.note import Verifier, check_key_name
from .linking.projection import LinkingProjector
from .store.custody_projection import CustodyProjector
from .store.disclosure_projection import DisclosureProjector
from .store.engine import open_engine
from .store.home import CONFIG_NAME, HomeConfig, HomeError, read_config, write_config
from .store.keys import ACTOR, LOG, load_role, save_key
from .store.ledger_store import LedgerStore, Projector
from .store.projection_check import missing_tables, rebuild, record_versions, stale_projectors
from .store.schema import HEAD, current_revision, upgrade
from .store.sealing import MasterKey, SealingError, create_master_key, load_master_key
from .store.subject_index import SubjectProjector

ADMIN_HOLDER = "ledger administrator"


def default_projectors() -> list[Projector]:
    """The projections every ledger keeps in step with its entries."""
    return [CustodyProjector(), LinkingProjector(), DisclosureProjector(), SubjectProjector()]


@dataclass
class OpenLedger:
    config: HomeConfig
    engine: Engine
    store: LedgerStore
    master: MasterKey | None = None

    @property
    def master_key(self) -> MasterKey:
        """The master key, which a ledger opened for writing holds."""
        if self.master is None:
            raise HomeError("this ledger was opened read-only")
        return self.master

    def actor(self, holder: str = ADMIN_HOLDER) -> Signer:
        """The newest private key of an actor held by this ledger."""
        with self.engine.connect() as conn:
            return load_role(conn, self.master_key, ACTOR, holder)

    def close(self) -> None:
        self.engine.dispose()


def blob_settings(config: HomeConfig) -> BlobSettings:
    """Where the evidence files are: brady.toml's `blobs` folder name or `[blobs]` table
    (read here, beside the rest of brady.toml, so the store module never parses it)."""
    path = config.path / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise HomeError(f"could not read {path}: {exc}") from exc
    return parse_settings(data.get("blobs"), config.path, str(path))


def open_blobs(config: HomeConfig) -> Blobs:
    """The ledger's evidence-file store, as configured (an S3 bucket is checked for
    Object Lock when first opened, and refused without it unless configured otherwise)."""
    return open_store(blob_settings(config))


@dataclass(frozen=True)
class WitnessConfig:
    """One `[[witnesses]]` table of brady.toml: a court's or a defense office's witness that
    cosigns this ledger's checkpoints. A retired witness is offered nothing, but the
    cosignatures it made are still checked with its key."""

    name: str
    vkey: str
    url: str
    retired: bool = False

    @property
    def cosigner(self) -> Cosigner:
        return Cosigner.from_vkey(self.vkey)


def witness_settings(config: HomeConfig) -> tuple[WitnessConfig, ...]:
    """The witnesses brady.toml lists (read here, beside the rest of brady.toml):

    [[witnesses]]
    name = "clerk.example-county.gov/w1"
    vkey = "clerk.example-county.gov/w1+0a1b2c3d+BM..."
    url = "https://witness.example-county.gov"
    """
    path = config.path / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise HomeError(f"could not read {path}: {exc}") from exc
    tables = data.get("witnesses", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise HomeError(f"{path}: witnesses must be [[witnesses]] tables")
    out: list[WitnessConfig] = []
    for n, table in enumerate(tables, 1):
        where = f"{path}: witness {n}"
        values = {k: table.get(k) for k in ("name", "vkey", "url")}
        for key, value in values.items():
            if not isinstance(value, str) or not value.strip():
                raise HomeError(f'{where} needs {key} = "..."')
        retired = table.get("retired", False)
        unknown = set(table) - {"name", "vkey", "url", "retired"}
        if not isinstance(retired, bool) or unknown:
            raise HomeError(f"{where}: only name, vkey, url and retired = true|false are read")
        witness = WitnessConfig(
            str(values["name"]), str(values["vkey"]).strip(), str(values["url"]).strip(), retired
        )
        try:
            cosigner = witness.cosigner
        except NoteError as exc:
            raise HomeError(f"{where} ({witness.name}): {exc}") from exc
        if cosigner.name != witness.name:
            raise HomeError(f"{where}: the key is {cosigner.name}'s, not {witness.name}'s")
        if not witness.url.startswith(("https://", "http://")):
            raise HomeError(f"{where} ({witness.name}): url must start with https:// or http://")
        if any(w.name == witness.name for w in out):
            raise HomeError(f"{where}: {witness.name} is listed twice")
        out.append(witness)
    return tuple(out)


def fresh_origin() -> str:
    host = "".join(c for c in socket.gethostname().lower() if c.isalnum() or c in "-.") or "host"
    return f"brady.local/{host}/{secrets.token_hex(8)}"


def init_home(
    path: Path,
    database: str | None = None,
    origin: str | None = None,
    master_key_file: str | None = None,
    time_zone: str = DEFAULT_ZONE,
) -> OpenLedger:
    """Create a new ledger: config, schema, sealed keys, genesis entry, first checkpoint."""
    zone(time_zone)
    path = path.resolve()
    if (path / CONFIG_NAME).exists():
        raise HomeError(f"{path} already holds a Brady ledger ({CONFIG_NAME} exists)")
    origin = origin or fresh_origin()
    check_key_name(origin)
    path.mkdir(parents=True, exist_ok=True)
    master = create_master_key(path, master_key_file)
    log_key, admin = Signer.generate(), Signer.generate()
    config = HomeConfig(
        path=path,
        origin=origin,
        log_vkey=Verifier(origin, log_key.public_key).vkey(),
        database=database or "sqlite:///brady.db",
        blobs=path / "blobs",
        master_key_file=master_key_file,
        time_zone=time_zone,
    )
    engine = open_engine(config.database_url)
    if inspect(engine).has_table("ledger_entry"):
        engine.dispose()
        raise HomeError(f"the database {config.database} already holds a ledger; use an empty one")
    upgrade(engine)
    with engine.begin() as conn:
        save_key(conn, master, log_key, LOG, origin)
        save_key(conn, master, admin, ACTOR, ADMIN_HOLDER)
    store = LedgerStore(engine, origin, log_key, default_projectors())
    store.create(admin, ADMIN_HOLDER)
    with engine.begin() as conn:
        record_versions(conn, store.projectors)
    config.blobs.mkdir(exist_ok=True)
    write_config(config)
    return OpenLedger(config, engine, store, master)


def open_home(path: Path, *, writable: bool = False, allow_stale: bool = False) -> OpenLedger:
    config = read_config(path)
    engine = open_engine(config.database_url)
    revision = current_revision(engine)
    if revision != HEAD:
        engine.dispose()
        raise HomeError(
            f"the database is at schema version {revision}, this Brady needs {HEAD}; "
            "back it up, then run 'brady upgrade'"
        )
    probe = LedgerStore(engine, config.origin, projectors=default_projectors())
    if not allow_stale and stale_projectors(probe):
        engine.dispose()
        raise HomeError(
            "the state tables of this ledger were built by an older version of Brady; "
            "back the database up, then run 'brady upgrade' (it rebuilds them from the ledger)"
        )
    if not writable:
        return OpenLedger(
            config, engine, LedgerStore(engine, config.origin, projectors=default_projectors())
        )
    master = load_master_key(path, config.master_key_file)
    with engine.connect() as conn:
        log_key = load_role(conn, master, LOG)
    if Verifier(config.origin, log_key.public_key).vkey() != config.log_vkey:
        engine.dispose()
        raise HomeError("the log key in the database does not match log_vkey in brady.toml")
    return OpenLedger(
        config, engine, LedgerStore(engine, config.origin, log_key, default_projectors()), master
    )


def upgrade_home(path: Path) -> tuple[str | None, str, list[str]]:
    """Migrate the database, then rebuild the state tables if their tables or rules changed."""
    config = read_config(path)
    try:
        master: MasterKey | None = load_master_key(path, config.master_key_file)
    except SealingError:
        master = None  # needed only if a migration seals stored rows; it says so then
    engine = open_engine(config.database_url)
    try:
        before, after = upgrade(engine, master)
    finally:
        engine.dispose()
    rebuilt: list[str] = []
    engine = open_engine(config.database_url)
    probe = LedgerStore(engine, config.origin, projectors=default_projectors())
    try:
        stale = stale_projectors(probe)
        missing = missing_tables(probe)
    finally:
        engine.dispose()
    if before == after and not stale and not missing:
        return before, after, rebuilt
    led = open_home(path, writable=True, allow_stale=True)
    try:
        rebuild(led.store)
        rebuilt = sorted(t.name for p in led.store.projectors for t in getattr(p, "tables", ()))
    finally:
        led.close()
    return before, after, rebuilt
