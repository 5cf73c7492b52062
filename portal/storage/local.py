"""Files under one root folder: for a single server and for development."""
from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Mapping

from .base import Listed, Meter, NotFound, Storage, StorageError, StoredObject, validate_key, validate_prefix


class LocalStorage(Storage):
    name = "local"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        # Resolved now so a later chdir cannot move the store; created on first write
        # so that merely configuring the app touches no disk.
        self.root = Path(root).resolve()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LocalStorage:
        root = config.get("STORAGE_DIR")
        if not root:
            raise StorageError("STORAGE=local needs STORAGE_DIR (the folder to keep files in)")
        return cls(root)

    def ping(self) -> None:
        # The folder is made on first write: until then its parent must take it.
        folder = self.root if self.root.exists() else self.root.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise StorageError(f"local: {folder} is not a folder this process can write to")

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def _write(self, key: str, stream: BinaryIO, max_size: int | None) -> StoredObject:
        path = self._path(key)
        meter = Meter(max_size)
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Same folder as the target so the rename stays on one filesystem and is
            # atomic; the leading dot keeps it out of iter_keys (keys cannot start with one).
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
            with os.fdopen(fd, "wb") as out:
                for chunk in meter.chunks(stream):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
            tmp = None
            _fsync_dir(path.parent)
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"local: could not store {key} under {self.root}: {exc}") from exc
        finally:
            if tmp is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        return meter.stored(key)

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound(f"local: no object {key} under {self.root}") from exc
        except OSError as exc:
            raise StorageError(f"local: could not open {key} under {self.root}: {exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except (IsADirectoryError, NotADirectoryError):
            pass  # a folder or a path through a file is no object, so there is nothing to delete
        except OSError as exc:
            raise StorageError(f"local: could not delete {key} under {self.root}: {exc}") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"local: no object {key} under {self.root}")
        return path.stat().st_size

    def url(self, key: str, *, expires: int = 60, filename: str | None = None) -> None:
        validate_key(key)
        return None  # no direct URL: the app streams local files itself

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        validate_prefix(prefix)
        # Walk only the deepest folder the prefix names in full; the rest filters by string,
        # matching S3's prefix semantics ("blo" matches "blobs/...").
        base = self.root / prefix.rpartition("/")[0]
        for dirpath, _dirnames, filenames in os.walk(base):
            for name in filenames:
                if name.startswith("."):
                    continue  # an upload in flight
                key = Path(dirpath, name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def iter_objects(self, prefix: str = "") -> Iterator[Listed]:
        for key in self.iter_keys(prefix):
            try:
                st = (self.root / key).stat()
            except FileNotFoundError:
                continue  # deleted while listing
            yield Listed(key, st.st_size, datetime.fromtimestamp(st.st_mtime, timezone.utc))

    def iter_partial(self) -> Iterator[Listed]:
        # _write's temporary files: ".<random>.part" beside the key they will become.
        for dirpath, _dirnames, filenames in os.walk(self.root):
            for name in filenames:
                if name.startswith(".") and name.endswith(".part"):
                    path = Path(dirpath, name)
                    try:
                        st = path.stat()
                    except FileNotFoundError:
                        continue  # the upload finished while listing
                    folder = path.parent.relative_to(self.root).as_posix()
                    yield Listed(folder, st.st_size, datetime.fromtimestamp(st.st_mtime, timezone.utc),
                                 partial=name)

    def delete_partial(self, item: Listed) -> None:
        if not item.partial or not item.partial.startswith(".") or "/" in item.partial:
            raise StorageError(f"local: {item.partial!r} is no temporary upload file")
        (self.root / item.key / item.partial).unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    # A rename survives a power cut only once the folder holding it is synced.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
