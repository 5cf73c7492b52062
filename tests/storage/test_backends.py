"""Configuration and backend-specific behaviour outside the shared contract."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from portal.storage import LocalStorage, S3Storage, StorageError, get_storage
from portal.storage.s3 import content_disposition


@pytest.mark.parametrize("config", [{}, {"STORAGE": "ftp"}, {"STORAGE": None}])
def test_unknown_backend_is_refused(config: dict) -> None:
    with pytest.raises(StorageError, match="unknown STORAGE backend"):
        get_storage(config)


@pytest.mark.parametrize("config", [{"STORAGE": "local"}, {"STORAGE": "s3"}])
def test_missing_settings_are_named(config: dict) -> None:
    with pytest.raises(StorageError, match="STORAGE_DIR|S3_BUCKET"):
        get_storage(config)


def test_local_folder_is_made_on_first_write(tmp_path: Path) -> None:
    storage = get_storage({"STORAGE": "local", "STORAGE_DIR": str(tmp_path / "store")})
    assert isinstance(storage, LocalStorage)
    assert not (tmp_path / "store").exists()
    assert list(storage.iter_keys()) == []
    assert not (tmp_path / "store").exists()
    storage.put(io.BytesIO(b"x"))
    assert (tmp_path / "store" / "blobs").is_dir()


def test_s3_client_is_made_on_first_use() -> None:
    storage = get_storage({"STORAGE": "s3", "S3_BUCKET": "records",
                           "S3_ENDPOINT_URL": "http://127.0.0.1:9", "S3_REGION": "eu-west-1"})
    assert isinstance(storage, S3Storage)
    assert storage._client is None
    assert (storage.endpoint_url, storage.region) == ("http://127.0.0.1:9", "eu-west-1")


def test_importing_needs_no_flask() -> None:
    code = "import sys, portal.storage; assert 'flask' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_content_disposition_without_filename() -> None:
    assert content_disposition(None) == "attachment"


def test_s3_bucket_is_never_created_implicitly(s3_storage: S3Storage) -> None:
    missing = S3Storage(s3_storage.bucket + "-absent", endpoint_url=s3_storage.endpoint_url,
                        region=s3_storage.region)
    with pytest.raises(StorageError, match="NoSuchBucket"):
        missing.put(io.BytesIO(b"x"))
    missing.ensure_bucket()
    missing.ensure_bucket()  # and again: it is idempotent
    assert missing.put(io.BytesIO(b"x")).size == 1
    missing.client.delete_bucket(Bucket=missing.bucket)


def test_s3_open_returns_a_closable_stream(s3_storage: S3Storage) -> None:
    key = s3_storage.put(io.BytesIO(b"abc")).key
    with s3_storage.open(key) as body:
        assert body.read(2) == b"ab"
    # StreamingBody.close() closes the HTTP response but not its own IOBase flag.
    assert body._raw_stream.closed


def test_local_refuses_a_key_that_is_also_a_folder(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    storage.put_at("a/b", io.BytesIO(b"x"))
    with pytest.raises(StorageError):
        storage.put_at("a", io.BytesIO(b"y"))
    with pytest.raises(StorageError):
        storage.put_at("a/b/c", io.BytesIO(b"z"))
    assert sorted(p.relative_to(storage.root).as_posix()
                  for p in storage.root.rglob("*") if p.is_file()) == ["a/b"]
