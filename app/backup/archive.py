"""The backup file: a stream of BSON documents, compressed, encrypted in authenticated chunks.

Layout::

    "HOCBABK1" | u32 header length | header (JSON: format, cipher, nonce prefix, key check)
    frames: u8 kind (1 data, 2 final) | u32 length | AES-256-GCM ciphertext with its tag

Each chunk's nonce is the archive's random 8-byte prefix followed by the chunk's index, and its
associated data binds the header's hash, the index and the kind: a chunk altered, moved,
dropped or replayed from another archive fails authentication, and a file cut short lacks the
final frame (the manifest). Inside, the zlib stream holds records: ``C`` + a BSON document
naming a collection and its indexes, then ``D`` + each of its documents, byte for byte as the
server stored them.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

import bson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DAMAGED, WRONG_KEY, DamagedArchive, WrongKey
from .keys import key_check

MAGIC = b"HOCBABK1"
FORMAT = 1
CHUNK_BYTES = 1 << 20  # compressed bytes per encrypted chunk
DATA, FINAL = 1, 2
COLLECTION, DOCUMENT = b"C", b"D"
_FRAME = struct.Struct(">BI")
_MAX_FRAME = CHUNK_BYTES * 2 + 64 * 1024


def _aad(header_hash: bytes, index: int, kind: int) -> bytes:
    return header_hash + struct.pack(">QB", index, kind)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


class ArchiveWriter:
    """Writes one archive to ``out``; call :meth:`finish` with the manifest at the end."""

    def __init__(self, out: BinaryIO, key: bytes) -> None:
        self.out = out
        self.aead = AESGCM(key)
        self.prefix = os.urandom(8)
        header = json.dumps(
            {
                "format": FORMAT,
                "cipher": "AES-256-GCM",
                "compression": "zlib",
                "nonce_prefix": self.prefix.hex(),
                "key_check": key_check(key),
            },
            sort_keys=True,
        ).encode()
        self.header_hash = hashlib.sha256(header).digest()
        out.write(MAGIC + struct.pack(">I", len(header)) + header)
        self.index = 0
        self.compressor = zlib.compressobj(6)
        self.pending = bytearray()
        self.bytes_written = len(MAGIC) + 4 + len(header)

    def _frame(self, kind: int, plain: bytes) -> None:
        sealed = self.aead.encrypt(
            _nonce(self.prefix, self.index), plain, _aad(self.header_hash, self.index, kind)
        )
        self.out.write(_FRAME.pack(kind, len(sealed)) + sealed)
        self.bytes_written += _FRAME.size + len(sealed)
        self.index += 1

    def _feed(self, data: bytes) -> None:
        self.pending += self.compressor.compress(data)
        while len(self.pending) >= CHUNK_BYTES:
            self._frame(DATA, bytes(self.pending[:CHUNK_BYTES]))
            del self.pending[:CHUNK_BYTES]

    def begin_collection(self, name: str, indexes: list[dict[str, Any]]) -> None:
        self._feed(COLLECTION + bson.encode({"name": name, "indexes": indexes}))

    def document(self, raw: bytes) -> None:
        self._feed(DOCUMENT + raw)

    def finish(self, manifest: dict[str, Any]) -> None:
        self.pending += self.compressor.flush()
        while self.pending:
            self._frame(DATA, bytes(self.pending[:CHUNK_BYTES]))
            del self.pending[:CHUNK_BYTES]
        self._frame(FINAL, json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode())


def _read_exact(inp: BinaryIO, size: int) -> bytes | None:
    data = inp.read(size)
    if len(data) != size:
        return None
    return data


def _chunks(inp: BinaryIO, key: bytes) -> Iterator[tuple[int, bytes]]:
    """Authenticated plaintext chunks (kind, bytes); the last one is FINAL, then end of file."""
    if _read_exact(inp, len(MAGIC)) != MAGIC:
        raise DamagedArchive("Đây không phải tệp sao lưu của Học bạ số (sai định dạng).")
    size = _read_exact(inp, 4)
    header = _read_exact(inp, struct.unpack(">I", size)[0]) if size else None
    if header is None:
        raise DamagedArchive(DAMAGED.format(where="phần đầu tệp"))
    try:
        meta = json.loads(header)
        prefix = bytes.fromhex(meta["nonce_prefix"])
        stored_check = meta["key_check"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DamagedArchive(DAMAGED.format(where="phần đầu tệp")) from exc
    if meta.get("format") != FORMAT or len(prefix) != 8:
        raise DamagedArchive(DAMAGED.format(where="phần đầu tệp"))
    if stored_check != key_check(key):
        raise WrongKey(WRONG_KEY)
    aead, header_hash, index = AESGCM(key), hashlib.sha256(header).digest(), 0
    while True:
        frame = inp.read(_FRAME.size)
        if not frame:
            raise DamagedArchive(DAMAGED.format(where="tệp bị cắt cụt, thiếu phần kết"))
        if len(frame) != _FRAME.size:
            raise DamagedArchive(DAMAGED.format(where=f"khối số {index + 1}"))
        kind, length = _FRAME.unpack(frame)
        sealed = _read_exact(inp, length) if length <= _MAX_FRAME else None
        if sealed is None or kind not in (DATA, FINAL):
            raise DamagedArchive(DAMAGED.format(where=f"khối số {index + 1}"))
        try:
            plain = aead.decrypt(_nonce(prefix, index), sealed, _aad(header_hash, index, kind))
        except InvalidTag as exc:
            raise DamagedArchive(DAMAGED.format(where=f"khối số {index + 1}")) from exc
        if kind == FINAL and inp.read(1):
            raise DamagedArchive(DAMAGED.format(where="dữ liệu thừa sau phần kết"))
        yield kind, plain
        if kind == FINAL:
            return
        index += 1


def read_archive(inp: BinaryIO, key: bytes) -> Iterator[tuple[str, Any]]:
    """Yields ``("collection", {name, indexes})``, ``("document", raw BSON bytes)`` in order,
    and last ``("manifest", dict)``. Nothing is yielded from a chunk before it is authenticated;
    a caller that must not act on a damaged file reads it through once first."""
    inflate = zlib.decompressobj()
    buf = bytearray()
    for kind, plain in _chunks(inp, key):
        if kind == FINAL:
            buf += inflate.flush()
            if buf or not inflate.eof:
                raise DamagedArchive(DAMAGED.format(where="dữ liệu nén không trọn vẹn"))
            yield "manifest", json.loads(plain)
            return
        try:
            buf += inflate.decompress(plain)
        except zlib.error as exc:
            raise DamagedArchive(DAMAGED.format(where="dữ liệu nén")) from exc
        pos = 0
        while len(buf) - pos >= 5:
            tag = bytes(buf[pos : pos + 1])
            (length,) = struct.unpack_from("<i", buf, pos + 1)
            if length < 5 or tag not in (COLLECTION, DOCUMENT):
                raise DamagedArchive(DAMAGED.format(where="cấu trúc bản ghi"))
            if len(buf) - pos - 1 < length:
                break
            body = bytes(buf[pos + 1 : pos + 1 + length])
            pos += 1 + length
            if tag == COLLECTION:
                yield "collection", bson.decode(body)
            else:
                yield "document", body
        del buf[:pos]
    raise DamagedArchive(DAMAGED.format(where="tệp bị cắt cụt, thiếu phần kết"))
