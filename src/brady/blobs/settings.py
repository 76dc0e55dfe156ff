"""Where evidence files are kept, as brady.toml says: `blobs = "folder"` (the default), or a
`[blobs]` table naming an S3 bucket.

    [blobs]
    url = "s3://county-evidence/brady"      # bucket, then an optional prefix
    endpoint = "https://s3.example.org"     # omit for AWS itself
    region = "us-east-1"
    require_object_lock = true              # the default: refuse an unprotected bucket
    retention_mode = "COMPLIANCE"           # or "GOVERNANCE"

    [blobs.retention]
    default_days = 3650                     # every kept file
    firearm = 36500                         # per item category, in days

Credentials are never read from here: boto3 finds them in the environment or the standard
AWS chain (AWS_ACCESS_KEY_ID, a profile, an instance role).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .base import BlobSetupError

DEFAULT_RETENTION_DAYS = 3650
MODES = ("COMPLIANCE", "GOVERNANCE")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    """Empty, or ends in '/': keys are prefix + 'sha256/...' and prefix + 'staging/...'."""

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")


def parse_s3_url(url: str) -> S3Location:
    """`s3://bucket` or `s3://bucket/some/prefix`; anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise BlobSetupError(
            f"{url!r} is not an S3 location: write it as s3://bucket or s3://bucket/prefix"
        )
    prefix = parts.path.strip("/")
    return S3Location(parts.netloc, f"{prefix}/" if prefix else "")


@dataclass(frozen=True)
class BlobSettings:
    """How to open the evidence-file store. Frozen and hashable: one store per setting."""

    folder: Path
    s3: S3Location | None = None
    endpoint: str | None = None
    region: str | None = None
    require_object_lock: bool = True
    retention_mode: str = "COMPLIANCE"
    retention: tuple[tuple[str, int], ...] = (("default", DEFAULT_RETENTION_DAYS),)
    """(category, days) pairs; 'default' applies to every category not named."""

    def retention_days(self, category: str | None) -> int:
        table = dict(self.retention)
        return table.get(category or "default", table.get("default", DEFAULT_RETENTION_DAYS))


def parse_settings(value: object, home: Path, where: str = "brady.toml") -> BlobSettings:
    """Read the `blobs` value of brady.toml: a folder name, a table, or nothing."""
    if value is None:
        return BlobSettings(folder=home / "blobs")
    if isinstance(value, str):
        return BlobSettings(folder=home / value)
    if not isinstance(value, dict):
        raise BlobSetupError(f"{where}: blobs must be a folder name or a [blobs] table")
    known = {"path", "url", "endpoint", "region", "require_object_lock", "retention_mode"}
    unknown = sorted(set(value) - known - {"retention"})
    if unknown:
        raise BlobSetupError(
            f"{where}: [blobs] has {', '.join(unknown)}, which Brady does not know "
            f"(it reads {', '.join(sorted(known | {'retention'}))}; credentials belong in "
            "the environment, never in brady.toml)"
        )
    lock = value.get("require_object_lock", True)
    if not isinstance(lock, bool):
        raise BlobSetupError(f"{where}: blobs.require_object_lock must be true or false")
    mode = _text(value, "retention_mode", where, "COMPLIANCE").upper()
    if mode not in MODES:
        raise BlobSetupError(f"{where}: blobs.retention_mode must be COMPLIANCE or GOVERNANCE")
    url = _optional(value, "url", where)
    return BlobSettings(
        folder=home / _text(value, "path", where, "blobs"),
        s3=None if url is None else parse_s3_url(url),
        endpoint=_optional(value, "endpoint", where),
        region=_optional(value, "region", where),
        require_object_lock=lock,
        retention_mode=mode,
        retention=_retention(value.get("retention"), where),
    )


def _text(table: dict[str, object], key: str, where: str, default: str) -> str:
    got = table.get(key, default)
    if not isinstance(got, str):
        raise BlobSetupError(f"{where}: blobs.{key} must be text in quotes")
    return got


def _optional(table: dict[str, object], key: str, where: str) -> str | None:
    return _text(table, key, where, "") or None


def _retention(value: object, where: str) -> tuple[tuple[str, int], ...]:
    if value is None:
        return (("default", DEFAULT_RETENTION_DAYS),)
    if not isinstance(value, dict):
        raise BlobSetupError(f"{where}: [blobs.retention] must be a table of days")
    out: dict[str, int] = {"default": DEFAULT_RETENTION_DAYS}
    for key, days in value.items():
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise BlobSetupError(f"{where}: blobs.retention.{key} must be a whole number of days")
        out["default" if key == "default_days" else str(key)] = days
    return tuple(sorted(out.items()))
