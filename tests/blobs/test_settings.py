"""brady.toml's `blobs`: a folder name, or a [blobs] table naming a bucket; never keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from brady.blobs.base import BlobSetupError
from brady.blobs.settings import parse_settings

HOME = Path("/srv/brady")


def test_a_folder_name_or_nothing_means_the_folder() -> None:
    assert parse_settings(None, HOME).folder == HOME / "blobs"
    assert parse_settings("files", HOME).folder == HOME / "files"
    assert parse_settings("files", HOME).s3 is None


def test_a_table_names_the_bucket_and_retention_by_category() -> None:
    got = parse_settings(
        {
            "url": "s3://county-evidence/brady/",
            "endpoint": "http://127.0.0.1:7480",
            "retention": {"default_days": 3650, "firearm": 36500},
        },
        HOME,
    )
    assert got.s3 is not None and (got.s3.bucket, got.s3.prefix) == ("county-evidence", "brady/")
    assert got.s3.url == "s3://county-evidence/brady"
    assert got.require_object_lock and got.retention_mode == "COMPLIANCE"
    assert (got.retention_days("firearm"), got.retention_days("drugs")) == (36500, 3650)
    assert hash(got)  # one store is opened per setting


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"url": "s3://b", "aws_secret_access_key": "x"}, "credentials belong in the environment"),
        ({"url": "https://bucket.example.org"}, "is not an S3 location"),
        ({"url": "s3://b", "require_object_lock": "no"}, "must be true or false"),
        ({"url": "s3://b", "retention_mode": "forever"}, "COMPLIANCE or GOVERNANCE"),
        ({"url": "s3://b", "retention": {"firearm": -1}}, "whole number of days"),
    ],
)
def test_mistakes_are_refused_plainly(table: dict[str, object], message: str) -> None:
    with pytest.raises(BlobSetupError, match=message):
        parse_settings(table, HOME)
