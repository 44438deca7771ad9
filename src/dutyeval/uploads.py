"""Storing an uploaded file safely: shared by report uploads and evidence (佐证材料).

A file is written under a random name in a folder below MEDIA_ROOT (outside the web root; only
permission-checked views serve it), read in chunks, hashed while it is written, and stopped as
soon as it passes the size limit or the region's quota. Whatever is refused leaves no file behind.
The caller checks the content afterwards and calls `discard` when it refuses it.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

CHUNK = 1024 * 1024


class UploadRefused(Exception):
    """The upload was refused (too big, over quota). The message is for users."""


@dataclass(frozen=True)
class StoredFile:
    path: Path
    name: str  # the random name under the folder: what the record keeps
    size: int
    sha256: str


def storage_dir(folder: str) -> Path:
    path = Path(settings.MEDIA_ROOT) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def too_big(size: int, limit: int, more: bool = False) -> str:
    shown = f"超过 {limit // 1048576} MB" if more else f"{size / 1048576:.1f} MB"
    return f"文件过大（{shown}），上限 {limit // 1048576} MB"


def over_quota(used: int, quota: int, what: str) -> str:
    return (f"本地区已保存的{what}共 {used / 1048576:.1f} MB，再上传将超过存储配额（{quota // 1048576} MB）；"
            f"请删除不再需要的{what}或联系督导办")


def store_stream(upload, folder: str, suffix: str, *, max_bytes: int, quota: int, used: int,
                 what: str) -> StoredFile:
    """Write `upload` (bytes or a file-like such as Django's UploadedFile) under a random name.

    The declared size is checked first (a cheap early refusal), then the bytes really read: the
    declared size is the client's claim, never trusted. Raises UploadRefused; nothing stays on disk.
    """
    stream = io.BytesIO(upload) if isinstance(upload, bytes | bytearray) else upload
    declared = getattr(stream, "size", None) or 0
    if declared > max_bytes:
        raise UploadRefused(too_big(declared, max_bytes))
    if used + declared > quota:
        raise UploadRefused(over_quota(used, quota, what))
    name = f"{uuid.uuid4().hex}{suffix}"
    path = storage_dir(folder) / name
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(too_big(size, max_bytes, more=True))
                if used + size > quota:
                    raise UploadRefused(over_quota(used, quota, what))
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredFile(path=path, name=name, size=size, sha256=digest.hexdigest())


def discard(folder: str, name: str) -> None:
    """Remove a stored file (refused content, a deleted record). A name is never a path."""
    if name and "/" not in name and "\\" not in name and name not in (".", ".."):
        (Path(settings.MEDIA_ROOT) / folder / name).unlink(missing_ok=True)


class FileTooBig(RequestDataTooBig):
    """A file in the request passed the largest size any upload accepts (answered 413)."""

    def __init__(self, limit: int):
        super().__init__(too_big(0, limit, more=True))
        self.limit = limit


def largest_upload() -> int:
    """The largest file any upload form accepts: each form checks its own, smaller limit after."""
    from dutyeval.core.textfacts.reader import MAX_BYTES as REPORT_MAX

    return max(settings.DUTYEVAL_MAX_UPLOAD_BYTES, settings.DUTYEVAL_EVIDENCE_MAX_BYTES, REPORT_MAX)


class SizeLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: stops reading the request as soon as a file passes
    `largest_upload()`, before the next handlers buffer it whole to memory or to /tmp. nginx caps
    the body in production (client_max_body_size); this covers every other way in."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = largest_upload()
        # the body holds the form fields besides the file: allow a margin over the file's limit
        if content_length and content_length > self.limit + 1024 * 1024:
            raise FileTooBig(self.limit)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            raise FileTooBig(self.limit)
        return raw_data

    def file_complete(self, file_size):
        return None
