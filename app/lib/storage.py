"""Where uploaded files live: behind one small interface; `instance/uploads/` by default.

Keys are content-addressed (a hash of the bytes), so a stored file never changes and can be
cached for a year.
"""

import hashlib
import os
import tempfile
from pathlib import Path

from flask import Flask, current_app


class LocalStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def save(self, folder: str, data: bytes, extension: str) -> str:
        digest = hashlib.sha256(data).hexdigest()[:32]
        key = f"{folder}/{digest}.{extension}"
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a reader never sees half a file.
            handle, temp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temp, path)
        return key

    def path(self, key: str) -> Path | None:
        """The file for `key`, or None if there is none (or the key tries to escape)."""
        path = self._path(key)
        return path if path.is_file() else None

    def _path(self, key):
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key escapes the storage root")
        return path


def storage() -> LocalStorage:
    return current_app.extensions["storage"]


def init_storage(app: Flask) -> None:
    app.extensions["storage"] = LocalStorage(app.config["UPLOADS_PATH"])


def media_url(key: str | None) -> str | None:
    """The public address of a stored file; None for no file."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/media/{key}" if key else None
