"""What every backend promises, run against a local folder and a real S3 server."""
from __future__ import annotations

import hashlib
import io
import os
import urllib.request
from pathlib import Path

import pytest

from portal.storage import LocalStorage, NotFound, S3Storage, Storage, StorageError, TooLarge
from portal.storage.s3 import PART_SIZE
from tests.support.streams import GeneratedStream, generated_sha256

MiB = 1024 * 1024


def read_all(storage: Storage, key: str) -> bytes:
    with storage.open(key) as stream:
        return stream.read()


def assert_nothing_left(storage: Storage) -> None:
    assert list(storage.iter_keys()) == []
    if isinstance(storage, LocalStorage):
        leftovers = [p for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else []
        assert leftovers == []
    if isinstance(storage, S3Storage):
        uploads = storage.client.list_multipart_uploads(Bucket=storage.bucket)
        assert uploads.get("Uploads", []) == []


def test_round_trip(storage: Storage) -> None:
    stored = storage.put(io.BytesIO(b"minutes of the 3 May meeting"))
    assert read_all(storage, stored.key) == b"minutes of the 3 May meeting"


def test_open_reads_in_pieces(storage: Storage) -> None:
    stored = storage.put(io.BytesIO(b"0123456789"))
    with storage.open(stored.key) as stream:
        assert stream.read(4) == b"0123"
        assert stream.read(4) == b"4567"
        assert stream.read() == b"89"


def test_sha256_and_size(storage: Storage) -> None:
    data = os.urandom(300_000)
    stored = storage.put(io.BytesIO(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data) == storage.size(stored.key)


def test_empty_file(storage: Storage) -> None:
    stored = storage.put(io.BytesIO(b""))
    assert (stored.size, stored.sha256) == (0, hashlib.sha256(b"").hexdigest())
    assert read_all(storage, stored.key) == b""


def test_keys_are_made_by_the_server(storage: Storage) -> None:
    upload = io.BytesIO(b"same bytes")
    upload.name = "../../etc/passwd"  # a filename, if anything were to look at it
    first = storage.put(upload)
    second = storage.put(io.BytesIO(b"same bytes"), prefix="requests/42")
    assert first.key != second.key
    assert first.key.startswith("blobs/") and "passwd" not in first.key
    assert second.key.startswith("requests/42/")
    assert first.sha256 == second.sha256


def test_put_at_uses_the_given_key(storage: Storage) -> None:
    key = "derived/grant-17/report_v2.pdf"
    assert storage.put_at(key, io.BytesIO(b"first")).key == key
    stored = storage.put_at(key, io.BytesIO(b"second"))
    assert stored.key == key
    assert read_all(storage, key) == b"second"
    assert list(storage.iter_keys()) == [key]


@pytest.mark.parametrize("key", [
    "", "/abs", "a//b", "a/", "../up", "a/../b", "a/..", "a..b", ".hidden", "a/.hidden",
    "a b", "a\\b", "caf\u00e9", "a\x00b", "x" * 1025,
])
def test_bad_keys_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(StorageError):
        storage.put_at(key, io.BytesIO(b"x"))
    with pytest.raises(StorageError):
        storage.put(io.BytesIO(b"x"), prefix=key)
    with pytest.raises(StorageError):
        storage.open(key)
    assert_nothing_left(storage)


def test_open_missing_raises_not_found(storage: Storage) -> None:
    with pytest.raises(NotFound):
        storage.open("blobs/missing")
    with pytest.raises(NotFound):
        storage.size("blobs/missing")


def test_exists_and_delete_is_idempotent(storage: Storage) -> None:
    stored = storage.put(io.BytesIO(b"x"))
    assert storage.exists(stored.key)
    storage.delete(stored.key)
    assert not storage.exists(stored.key)
    storage.delete(stored.key)
    storage.delete("blobs/never-was")
    with pytest.raises(NotFound):
        storage.open(stored.key)


def test_max_size_is_inclusive(storage: Storage) -> None:
    assert storage.put(io.BytesIO(b"x" * 1000), max_size=1000).size == 1000


@pytest.mark.parametrize("size, max_size", [
    (3 * MiB, 1 * MiB),                       # refused before anything is sent
    (PART_SIZE * 2 + MiB, PART_SIZE + MiB),   # refused after a part was uploaded
])
def test_too_large_leaves_nothing(storage: Storage, size: int, max_size: int) -> None:
    with pytest.raises(TooLarge):
        storage.put(GeneratedStream(size), max_size=max_size)
    assert_nothing_left(storage)


@pytest.mark.parametrize("fail_after", [100_000, PART_SIZE + MiB])
def test_failing_stream_leaves_nothing(storage: Storage, fail_after: int) -> None:
    with pytest.raises(StorageError) as caught:
        storage.put(GeneratedStream(3 * PART_SIZE, fail_after=fail_after))
    assert isinstance(caught.value.__cause__, OSError)
    assert_nothing_left(storage)


def test_failing_put_at_keeps_the_previous_copy(storage: Storage) -> None:
    key = "derived/grant-3/copy.pdf"
    storage.put_at(key, io.BytesIO(b"good"))
    with pytest.raises(StorageError):
        storage.put_at(key, GeneratedStream(2 * PART_SIZE, fail_after=PART_SIZE + 1))
    assert read_all(storage, key) == b"good"


def test_multipart_sized_upload_round_trips(storage: Storage) -> None:
    size = 20 * MiB + 12345  # two full parts and a short one on S3
    stored = storage.put(GeneratedStream(size, seed=7))
    assert stored.size == size == storage.size(stored.key)
    assert stored.sha256 == generated_sha256(size, seed=7)
    digest, read = hashlib.sha256(), 0
    with storage.open(stored.key) as stream:
        while chunk := stream.read(MiB):
            digest.update(chunk)
            read += len(chunk)
    assert (read, digest.hexdigest()) == (size, stored.sha256)


def test_url(storage: Storage) -> None:
    stored = storage.put(io.BytesIO(b"%PDF-1.7 released record"))
    url = storage.url(stored.key, expires=120, filename='r\u00e9sum\u00e9 "final".pdf')
    if isinstance(storage, LocalStorage):
        assert url is None
        return
    assert url is not None and url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read()
        disposition = response.headers["Content-Disposition"]
    assert body == b"%PDF-1.7 released record"
    assert disposition == ("attachment; filename=\"r_sum_ _final_.pdf\"; "
                           "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf")


def test_iter_keys(storage: Storage) -> None:
    assert list(storage.iter_keys()) == []
    made = {storage.put(io.BytesIO(b"a"), prefix="requests/1").key for _ in range(3)}
    made.add(storage.put(io.BytesIO(b"b"), prefix="requests/10").key)
    other = storage.put(io.BytesIO(b"c"), prefix="blobs").key
    storage.put_at("derived/g1/x.pdf", io.BytesIO(b"d"))
    assert set(storage.iter_keys()) == made | {other, "derived/g1/x.pdf"}
    assert set(storage.iter_keys("requests/")) == made
    assert len(set(storage.iter_keys("requests/1/"))) == 3
    assert set(storage.iter_keys("requests/1")) == made  # a string prefix, as in S3
    assert set(storage.iter_keys("blo")) == {other}
    assert list(storage.iter_keys("nothing/here")) == []
    with pytest.raises(StorageError):
        list(storage.iter_keys("../"))


def test_names_itself(storage: Storage) -> None:
    assert storage.name == ("local" if isinstance(storage, LocalStorage) else "s3")


def test_local_files_live_under_the_root(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store")
    stored = storage.put(io.BytesIO(b"abc"), prefix="blobs")
    assert (tmp_path / "store" / stored.key).read_bytes() == b"abc"
