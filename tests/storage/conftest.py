from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest

from portal.storage import S3Storage, Storage, get_storage
from tests.support.seaweed import SeaweedServer


@pytest.fixture
def s3_storage(seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Storage]:
    """An S3Storage on a fresh bucket of its own, deleted afterwards."""
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)
    storage = get_storage(seaweed.storage_config(f"test-{uuid.uuid4().hex}"))
    assert isinstance(storage, S3Storage)
    storage.ensure_bucket()
    yield storage
    # SeaweedFS deletes a non-empty bucket whole (-s3.allowDeleteBucketNotEmpty).
    storage.client.delete_bucket(Bucket=storage.bucket)


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return get_storage({"STORAGE": "local", "STORAGE_DIR": str(tmp_path / "store")})
    return request.getfixturevalue("s3_storage")
