"""Objects in one S3 bucket (AWS, SeaweedFS, MinIO...): for several app servers.

Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID and friends, an
instance role...), never from the app's config, so they stay out of config files.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, BinaryIO, Iterator, Mapping
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .base import Listed, Meter, NotFound, Storage, StorageError, StoredObject, validate_key, validate_prefix

# S3 needs parts of at least 5 MiB (but the last); 8 MiB bounds memory per upload
# while keeping a 1 GB file to ~125 requests, far below the 10,000-part cap.
PART_SIZE = 8 * 1024 * 1024

# HEAD answers carry no body, so a missing key there is just "404".
_MISSING = {"404", "NoSuchKey"}


class S3Storage(Storage):
    name = "s3"

    def __init__(self, bucket: str, *, endpoint_url: str | None = None,
                 region: str | None = None) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.region = region
        self._client: Any = None
        self._client_lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3Storage:
        bucket = config.get("S3_BUCKET")
        if not bucket:
            raise StorageError("STORAGE=s3 needs S3_BUCKET")
        return cls(bucket, endpoint_url=config.get("S3_ENDPOINT_URL") or None,
                   region=config.get("S3_REGION") or None)

    @property
    def client(self) -> Any:
        # Made on first use, not at import or app start, so a worker that never
        # touches storage never resolves credentials or opens connections.
        with self._client_lock:
            if self._client is None:
                # A private session: clients made from boto3's shared default
                # session are not safe to create from several threads at once.
                self._client = boto3.session.Session().client(
                    "s3", endpoint_url=self.endpoint_url, region_name=self.region,
                    config=Config(signature_version="s3v4",
                                  # Path style works with any endpoint and any bucket
                                  # name; virtual hosts need wildcard DNS.
                                  s3={"addressing_style": "path"},
                                  retries={"mode": "standard", "max_attempts": 3}))
            return self._client

    @contextlib.contextmanager
    def _errors(self, action: str, key: str = "") -> Iterator[None]:
        """Turn boto's exceptions into ours, naming the bucket and key."""
        where = f"{self.bucket}/{key}" if key else self.bucket
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            message = f"s3: {action} {where} failed: {code} {error.get('Message', '')}".rstrip()
            raise (NotFound if code in _MISSING else StorageError)(message) from exc
        except BotoCoreError as exc:
            raise StorageError(f"s3: {action} {where} failed: {exc}") from exc

    def ensure_bucket(self) -> None:
        """Create the bucket if missing: for tests and the CLI, never done implicitly,
        so a typo in S3_BUCKET fails loudly instead of filling a new bucket."""
        try:
            with self._errors("check bucket"):
                self.client.head_bucket(Bucket=self.bucket)
            return
        except NotFound:
            pass
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if self.region and self.region != "us-east-1":
            # AWS rejects a LocationConstraint of us-east-1 and requires one elsewhere.
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        with self._errors("create bucket"):
            self.client.create_bucket(**kwargs)

    def _write(self, key: str, stream: BinaryIO, max_size: int | None) -> StoredObject:
        meter = Meter(max_size)
        chunks = meter.chunks(stream)
        try:
            part = _fill(bytearray(), chunks)
            if len(part) < PART_SIZE:
                # The whole stream fit in one part: one request instead of three.
                with self._errors("put", key):
                    self.client.put_object(Bucket=self.bucket, Key=key, Body=part)
            else:
                self._multipart(key, part, chunks)
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"s3: could not store {self.bucket}/{key}: {exc}") from exc
        return meter.stored(key)

    def _multipart(self, key: str, part: bytearray, chunks: Iterator[bytes]) -> None:
        with self._errors("start upload", key):
            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        try:
            done = []
            while part:
                number = len(done) + 1
                with self._errors(f"upload part {number}", key):
                    etag = self.client.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                   PartNumber=number, Body=part)["ETag"]
                done.append({"PartNumber": number, "ETag": etag})
                _fill(part, chunks)
            with self._errors("complete upload", key):
                self.client.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                      MultipartUpload={"Parts": done})
        except BaseException as exc:
            # Parts of an unfinished upload are stored and billed until aborted.
            try:
                with self._errors("abort upload", key):
                    self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            except StorageError as abort_error:
                exc.add_note(f"{abort_error}; upload {upload_id} is left pending, "
                             "a lifecycle rule for incomplete uploads will reclaim it")
            raise

    def open(self, key: str) -> contextlib.closing[Any]:
        with self._errors("open", validate_key(key)):
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        return contextlib.closing(_Body(self, key, body))

    def delete(self, key: str) -> None:
        with self._errors("delete", validate_key(key)):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except NotFound:
            return False
        return True

    def size(self, key: str) -> int:
        return int(self._head(key)["ContentLength"])

    def _head(self, key: str) -> dict[str, Any]:
        with self._errors("head", validate_key(key)):
            return self.client.head_object(Bucket=self.bucket, Key=key)

    def url(self, key: str, *, expires: int = 60, filename: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": validate_key(key),
                  "ResponseContentDisposition": content_disposition(filename)}
        with self._errors("presign", key):
            return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=validate_prefix(prefix))
        with self._errors("list", prefix):
            for page in pages:
                for item in page.get("Contents", ()):
                    yield item["Key"]

    def iter_objects(self, prefix: str = "") -> Iterator[Listed]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=validate_prefix(prefix))
        with self._errors("list", prefix):
            for page in pages:
                for item in page.get("Contents", ()):
                    yield Listed(item["Key"], int(item["Size"]), item["LastModified"])

    def iter_partial(self) -> Iterator[Listed]:
        pages = self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket)
        with self._errors("list uploads"):
            for page in pages:
                for item in page.get("Uploads", ()):
                    yield Listed(item["Key"], 0, item["Initiated"], partial=item["UploadId"])

    def delete_partial(self, item: Listed) -> None:
        with self._errors("abort upload", item.key):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=item.key, UploadId=item.partial)


class _Body:
    """An object's body whose read errors (the server stopped, the connection dropped) are
    StorageError like every other failure of this backend, so a download can log them."""

    def __init__(self, storage: S3Storage, key: str, body: Any) -> None:
        self._storage, self._key, self._body = storage, key, body

    def read(self, size: int = -1) -> bytes:
        try:
            with self._storage._errors("read", self._key):
                return self._body.read(size) if size is not None and size >= 0 else self._body.read()
        except StorageError:
            raise
        except Exception as exc:  # urllib3's and http.client's own, when boto does not wrap them
            raise StorageError(f"s3: read {self._storage.bucket}/{self._key} failed: {exc}") from exc

    def close(self) -> None:
        self._body.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._body, name)


def content_disposition(filename: str | None) -> str:
    """An attachment header per RFC 6266: an ASCII fallback for old clients and
    the exact name, percent-encoded UTF-8, in filename*."""
    if not filename:
        return "attachment"
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                       for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _fill(part: bytearray, chunks: Iterator[bytes]) -> bytearray:
    """Refill `part` with the next PART_SIZE bytes or more (less only at the end).

    One buffer, reused for every part and sent as it is, keeps an upload's memory
    to about one part; parts need not be equal, only 5 MiB or more but the last.
    """
    part.clear()
    for chunk in chunks:
        part += chunk
        if len(part) >= PART_SIZE:
            break
    return part
