"""Finding a ledger's home folder and reading its configuration (brady.toml).

Like git with a repository: `--home DIR`, else $BRADY_HOME, else the current
folder or the nearest parent holding a brady.toml.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from ..domain.errors import BradyError, InvalidInputError
from ..domain.moments import DEFAULT_ZONE, zone

CONFIG_NAME = "brady.toml"


class HomeError(BradyError):
    """No ledger home where one was expected, or its configuration is unusable."""


@dataclass(frozen=True)
class LinkingConfig:
    """[linking] in brady.toml: how eagerly Brady suggests links (recall first)."""

    threshold: float = 0.3  # the probability at which a suggestion is recorded
    weights: dict[str, float] = field(default_factory=dict)  # per mention kind, overrides


def _linking(data: object, path: Path) -> LinkingConfig:
    if data is None:
        return LinkingConfig()
    if not isinstance(data, dict):
        raise HomeError(f"{path}: [linking] must be a table")
    threshold = data.get("threshold", LinkingConfig.threshold)
    weights = data.get("weights", {})
    if not isinstance(threshold, int | float) or not 0 < threshold <= 1:
        raise HomeError(f"{path}: linking.threshold {threshold!r} must be a number in (0, 1]")
    if not isinstance(weights, dict) or not all(
        isinstance(v, int | float) and 0 <= v <= 1 for v in weights.values()
    ):
        raise HomeError(f"{path}: linking.weights must map mention kinds to numbers in [0, 1]")
    return LinkingConfig(float(threshold), {str(k): float(v) for k, v in weights.items()})


@dataclass(frozen=True)
class HomeConfig:
    path: Path
    origin: str
    log_vkey: str
    database: str
    blobs: Path
    master_key_file: str | None
    linking: LinkingConfig = field(default_factory=LinkingConfig)
    time_zone: str = DEFAULT_ZONE
    """The agency's IANA time zone: dates people give are its days, times they read its."""

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.time_zone)

    @property
    def database_url(self) -> str:
        """The configured URL, with a relative SQLite path taken from the home folder."""
        prefix = "sqlite:///"
        if self.database.startswith(prefix):
            db = Path(self.database[len(prefix) :])
            if not db.is_absolute():
                return prefix + str(self.path / db)
        return self.database


def find_home(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit.resolve()
    if os.environ.get("BRADY_HOME"):
        return Path(os.environ["BRADY_HOME"]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return here


def read_config(home: Path) -> HomeConfig:
    path = home / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise HomeError(
            f"no Brady ledger at {home} (no {CONFIG_NAME}); run 'brady init {home}' "
            "or point --home or BRADY_HOME at the ledger folder"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise HomeError(f"{path} is not valid TOML: {exc}") from exc
    missing = [k for k in ("origin", "log_vkey", "database") if not isinstance(data.get(k), str)]
    if missing:
        raise HomeError(f"{path} is missing {', '.join(missing)}")
    key_file = data.get("master_key_file")
    time_zone = data.get("time_zone", DEFAULT_ZONE)
    try:
        zone(str(time_zone))
    except InvalidInputError as exc:
        raise HomeError(f"{path}: {exc}") from exc
    return HomeConfig(
        path=home,
        origin=data["origin"],
        log_vkey=data["log_vkey"],
        database=data["database"],
        blobs=home / str(data.get("blobs", "blobs")),
        master_key_file=key_file if isinstance(key_file, str) else None,
        linking=_linking(data.get("linking"), path),
        time_zone=str(time_zone),
    )


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(config: HomeConfig) -> None:
    lines = [
        "# Brady ledger home. The database and blob folder are named here;",
        "# private keys are sealed in the database under a master key kept outside this folder.",
        f"origin = {_quote(config.origin)}",
        f"log_vkey = {_quote(config.log_vkey)}",
        f"database = {_quote(config.database)}",
        f"blobs = {_quote(str(config.blobs.relative_to(config.path)))}",
    ]
    lines.append(f"time_zone = {_quote(config.time_zone)}")
    if config.master_key_file:
        lines.append(f"master_key_file = {_quote(config.master_key_file)}")
    (config.path / CONFIG_NAME).write_text("\n".join(lines) + "\n")
