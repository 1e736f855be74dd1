"""MongoDB wire protocol framing: OP_MSG (the modern protocol) and the legacy OP_QUERY/OP_REPLY
pair, which some tools still use for their first handshake."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import bson
import bson.errors
from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

OP_REPLY = 1
OP_QUERY = 2004
OP_COMPRESSED = 2012
OP_MSG = 2013

# Flag bits of OP_MSG.
CHECKSUM_PRESENT = 1 << 0
MORE_TO_COME = 1 << 1
EXHAUST_ALLOWED = 1 << 16

HEADER = struct.Struct("<iiii")
MAX_MESSAGE_SIZE = 48_000_000

# UNSPECIFIED keeps Binary subtype 3/4 values as they were sent, so UUIDs round-trip unchanged.
CODEC = CodecOptions(
    document_class=dict, tz_aware=False, uuid_representation=UuidRepresentation.UNSPECIFIED
)
# For documents kept as encoded BSON (cursor batches); only the bytes are ever used.
RAW_CODEC = CodecOptions(
    document_class=RawBSONDocument, uuid_representation=UuidRepresentation.UNSPECIFIED
)


class ProtocolError(Exception):
    """The peer sent bytes that are not a valid message; the connection is closed."""


@dataclass
class Request:
    request_id: int
    op_code: int
    flags: int = 0
    command: dict[str, Any] = field(default_factory=dict)
    # Set for OP_QUERY: the reply must be an OP_REPLY.
    legacy: bool = False

    @property
    def more_to_come(self) -> bool:
        return bool(self.flags & MORE_TO_COME)


def parse_message(request_id: int, op_code: int, body: bytes) -> Request:
    try:
        if op_code == OP_MSG:
            return _parse_op_msg(request_id, body)
        if op_code == OP_QUERY:
            return _parse_op_query(request_id, body)
    except (struct.error, bson.errors.BSONError, ValueError, IndexError) as exc:
        # Garbage on the wire: the connection is closed with a log line, not a traceback.
        raise ProtocolError(f"malformed message: {exc}") from exc
    raise ProtocolError(f"unsupported opcode {op_code}")


def _parse_op_msg(request_id: int, body: bytes) -> Request:
    (flags,) = struct.unpack_from("<I", body, 0)
    end = len(body) - (4 if flags & CHECKSUM_PRESENT else 0)
    pos = 4
    command: dict[str, Any] | None = None
    sequences: dict[str, list[dict[str, Any]]] = {}
    while pos < end:
        kind = body[pos]
        pos += 1
        if kind == 0:
            (size,) = struct.unpack_from("<i", body, pos)
            command = bson.decode(body[pos : pos + size], codec_options=CODEC)
            pos += size
        elif kind == 1:
            (size,) = struct.unpack_from("<i", body, pos)
            section_end = pos + size
            name_end = body.index(b"\x00", pos + 4)
            identifier = body[pos + 4 : name_end].decode()
            docs = bson.decode_all(body[name_end + 1 : section_end], codec_options=CODEC)
            sequences.setdefault(identifier, []).extend(docs)
            pos = section_end
        else:
            raise ProtocolError(f"unknown OP_MSG section kind {kind}")
    if command is None:
        raise ProtocolError("OP_MSG without a body section")
    for identifier, docs in sequences.items():
        command.setdefault(identifier, []).extend(docs)
    return Request(request_id=request_id, op_code=OP_MSG, flags=flags, command=command)


def _parse_op_query(request_id: int, body: bytes) -> Request:
    (flags,) = struct.unpack_from("<i", body, 0)
    name_end = body.index(b"\x00", 4)
    full_name = body[4:name_end].decode()
    pos = name_end + 1 + 8  # numberToSkip, numberToReturn
    (size,) = struct.unpack_from("<i", body, pos)
    query = bson.decode(body[pos : pos + size], codec_options=CODEC)
    if "$query" in query:
        query = query["$query"]
    db = full_name.split(".", 1)[0]
    if not full_name.endswith(".$cmd"):
        raise ProtocolError("OP_QUERY is only accepted for commands")
    query.setdefault("$db", db)
    return Request(request_id=request_id, op_code=OP_QUERY, flags=flags, command=query, legacy=True)


def encode_reply(request: Request, reply: dict[str, Any], reply_id: int) -> bytes:
    payload = bson.encode(reply, codec_options=CODEC)
    if request.legacy:
        # responseFlags, cursorID, startingFrom, numberReturned
        body = struct.pack("<iqii", 0, 0, 0, 1) + payload
        op = OP_REPLY
    else:
        body = struct.pack("<I", 0) + b"\x00" + payload
        op = OP_MSG
    return HEADER.pack(HEADER.size + len(body), reply_id, request.request_id, op) + body
