from __future__ import annotations

import os
import uuid
import warnings
from pathlib import Path
from typing import Iterator

import pytest

from portal.storage import S3Storage, Storage, get_storage
from tests.support.seaweed import SeaweedError, SeaweedServer, start_seaweed


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    try:
        server = start_seaweed(tmp_path_factory.mktemp("seaweed"))
    except SeaweedError as exc:
        reason = f"!!! S3 BACKEND NOT TESTED: SeaweedFS could not start: {exc}"
        # CI must not go green on a backend it never exercised.
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        # A skip alone is one letter in the progress line; the warning lands in the summary.
        warnings.warn(reason, pytest.PytestWarning, stacklevel=1)
        pytest.skip(reason)
    yield server
    server.stop()


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
