# Owns the spool file (docs/spool-format.md, byte for byte the TypeScript SDK's): frames, the
# append-only writer, the reader with torn-tail detection, and ack.json. Building record payloads
# lives in _run.py, shipping them in _sender.py.
from __future__ import annotations

import json
import os
import struct
import zlib
from typing import List, NamedTuple, Optional, Tuple

MAGIC = b"ORRSPL01"
SPOOL_FILE = "records.spool"
ACK_FILE = "ack.json"
SPOOL_VERSION = 1
FRAME_HEADER = struct.Struct("<II")
FRAME_HEADER_BYTES = 8
BINARY_HISTORY = 0x01
# kind u8 | seq f64 | ts f64 | step f64 | count u16
HISTORY_HEAD = struct.Struct("<BdddH")
BINARY_HISTORY_FIXED_BYTES = HISTORY_HEAD.size
# A frame claiming more than this is corruption, not data.
MAX_FRAME_BYTES = 256 * 1024 * 1024

_pack_header = FRAME_HEADER.pack
_crc32 = zlib.crc32


def encode_frame(payload: bytes) -> bytes:
    return _pack_header(len(payload), _crc32(payload)) + payload


def dumps(value) -> str:
    """Compact JSON like JSON.stringify: no spaces, non-ASCII kept, no NaN (callers encode it)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class SpoolWriter:
    """Appends whole frames with one write(2) each; never rewrites earlier frames."""

    def __init__(self, path: str, fd: int, data_start: int):
        self.path = path
        self.fd = fd
        self.data_start = data_start
        # Offset just past the last complete frame.
        self.offset = data_start

    @classmethod
    def create(cls, path: str, header: dict) -> "SpoolWriter":
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags, 0o644)
        start = MAGIC + encode_frame(dumps(header).encode("utf-8"))
        try:
            _write_all(fd, start)
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, len(start))

    def append(self, payload: bytes) -> bool:
        """Writes one frame; False (file unchanged) when the write fails, e.g. a full disk."""
        frame = _pack_header(len(payload), _crc32(payload)) + payload
        return self.write_frame(frame)

    def write_frame(self, frame: bytes) -> bool:
        if self.fd < 0:
            return False
        try:
            n = os.write(self.fd, frame)
            if n != len(frame):
                _write_all(self.fd, frame[n:])
        except OSError:
            # Cut off a partial frame so later frames stay readable.
            try:
                os.ftruncate(self.fd, self.offset)
                os.lseek(self.fd, self.offset, os.SEEK_SET)
            except OSError:
                pass
            return False
        self.offset += len(frame)
        return True

    def close(self) -> None:
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


class TailProblem(NamedTuple):
    offset: int
    bytes: int
    reason: str  # "incomplete frame" | "checksum mismatch" | "impossible length"


class FrameBatch:
    """Frames read in one go, kept as positions in one buffer: the sender ships them as one slice."""

    __slots__ = ("buf", "base", "starts", "next", "problem")

    def __init__(self, buf: bytes, base: int, starts: List[int], next_offset: int, problem: Optional[TailProblem]):
        self.buf = buf
        self.base = base  # file offset of buf[0]
        self.starts = starts  # buffer positions of each frame, plus the end of the last one
        self.next = next_offset  # file offset just past the last frame (= the start offset when none)
        self.problem = problem

    def __len__(self) -> int:
        return len(self.starts) - 1 if self.starts else 0

    def payload(self, i: int) -> bytes:
        return self.buf[self.starts[i] + FRAME_HEADER_BYTES:self.starts[i + 1]]

    def offset(self, i: int) -> int:
        return self.base + self.starts[i]

    def raw(self) -> bytes:
        """All frames back to back, exactly as in the file."""
        return self.buf[self.starts[0]:self.starts[-1]] if len(self) else b""


class SpoolError(Exception):
    pass


class SpoolReader:
    """Reads frames in order and stops at the first incomplete or damaged one (a torn tail)."""

    def __init__(self, path: str, f, header: dict, data_start: int):
        self.path = path
        self._f = f
        self.header = header
        self.data_start = data_start

    @classmethod
    def open(cls, path: str) -> "SpoolReader":
        f = open(path, "rb")
        try:
            if f.read(len(MAGIC)) != MAGIC:
                raise SpoolError(f"{path} is not an Orrery spool (it does not start with ORRSPL01)")
            probe = cls(path, f, {}, len(MAGIC))
            first = probe.read(len(MAGIC), 1, 1 << 20)
            if not len(first):
                reason = first.problem.reason if first.problem else "empty"
                raise SpoolError(f"{path} has no readable header frame ({reason})")
            header = json.loads(first.payload(0).decode("utf-8"))
            if header.get("spool") != SPOOL_VERSION or not isinstance(header.get("runId"), str):
                raise SpoolError(
                    f"{path} has spool version {header.get('spool')}; this client reads version {SPOOL_VERSION}: upgrade orrery"
                )
            return cls(path, f, header, first.next)
        except BaseException:
            f.close()
            raise

    def read(self, offset: int, max_frames: int, max_bytes: int, verify: bool = True) -> FrameBatch:
        """Up to max_frames frames from `offset` (a frame boundary), stopping before the payloads
        pass max_bytes (the first frame is always whole). verify=False skips the CRC check, for a
        writer's own live spool (the server checks every CRC again)."""
        f = self._f
        f.seek(offset)
        want = max(max_bytes + max_frames * FRAME_HEADER_BYTES, FRAME_HEADER_BYTES)
        buf = f.read(min(want, 64 * 1024 * 1024))
        at_eof = len(buf) < want
        view = memoryview(buf)
        unpack = FRAME_HEADER.unpack_from
        starts: List[int] = []
        cursor = 0
        payload_bytes = 0
        size = len(buf)
        while len(starts) < max_frames:
            if size - cursor < FRAME_HEADER_BYTES:
                if at_eof and size > cursor:
                    return self._stop(buf, offset, starts, cursor, "incomplete frame")
                break
            length, crc = unpack(buf, cursor)
            if length == 0 or length > MAX_FRAME_BYTES:
                return self._stop(buf, offset, starts, cursor, "impossible length")
            end = cursor + FRAME_HEADER_BYTES + length
            if starts and payload_bytes + length > max_bytes:
                break
            if end > size:
                if at_eof:
                    return self._stop(buf, offset, starts, cursor, "incomplete frame")
                if starts:
                    break
                # One frame larger than what was loaded: load exactly it.
                view.release()
                f.seek(offset)
                buf = f.read(FRAME_HEADER_BYTES + length)
                view = memoryview(buf)
                size = len(buf)
                at_eof = True
                if size < FRAME_HEADER_BYTES + length:
                    return self._stop(buf, offset, starts, cursor, "incomplete frame")
                continue
            if verify and _crc32(view[cursor + FRAME_HEADER_BYTES:end]) != crc:
                return self._stop(buf, offset, starts, cursor, "checksum mismatch")
            starts.append(cursor)
            payload_bytes += length
            cursor = end
        view.release()
        if starts:
            starts.append(cursor)
        return FrameBatch(buf, offset, starts, offset + cursor, None)

    def find_seq(self, seq: int) -> Optional[int]:
        offset = self.data_start
        while True:
            batch = self.read(offset, 10_000, 4 * 1024 * 1024)
            for i in range(len(batch)):
                if frame_seq(batch.payload(i)) == seq:
                    return batch.offset(i)
            if not len(batch):
                return None
            offset = batch.next

    def close(self) -> None:
        try:
            self._f.close()
        except OSError:
            pass

    def _stop(self, buf: bytes, start: int, starts: List[int], cursor: int, reason: str) -> FrameBatch:
        at = start + cursor
        try:
            size = os.fstat(self._f.fileno()).st_size
        except OSError:
            size = at
        if starts:
            starts.append(cursor)
        return FrameBatch(buf, start, starts, at, TailProblem(at, size - at, reason))


def frame_seq(payload: bytes) -> float:
    """The seq of a record payload; cheap for binary rows and JSON that starts with {"seq":N."""
    if payload[:1] == b"\x01" and len(payload) >= BINARY_HISTORY_FIXED_BYTES:
        return struct.unpack_from("<d", payload, 1)[0]
    if payload.startswith(b'{"seq":'):
        i = 7
        n = 0
        while i < len(payload) and 0x30 <= payload[i] <= 0x39:
            n = n * 10 + payload[i] - 0x30
            i += 1
        if i > 7 and i < len(payload) and payload[i] in (0x2C, 0x7D):
            return n
    seq = json.loads(payload.decode("utf-8")).get("seq")
    return seq if isinstance(seq, (int, float)) else float("nan")


def decode_payload(payload: bytes) -> dict:
    """The wire record a payload holds (binary history rows decoded; NaN kept as float)."""
    if payload[:1] != b"\x01":
        return json.loads(payload.decode("utf-8"))
    _, seq, ts, step, count = HISTORY_HEAD.unpack_from(payload, 0)
    at = BINARY_HISTORY_FIXED_BYTES
    values = {}
    for _ in range(count):
        (n,) = struct.unpack_from("<H", payload, at)
        key = payload[at + 2:at + 2 + n].decode("utf-8")
        (v,) = struct.unpack_from("<d", payload, at + 2 + n)
        values[key] = v
        at += 2 + n + 8
    if at != len(payload):
        raise SpoolError(f"binary history row has {len(payload) - at} bytes after its last value")
    return {"seq": int(seq), "ts": ts, "type": "history", "step": int(step), "values": values}


def read_spool(path: str) -> Tuple[dict, List[dict], Optional[TailProblem]]:
    """Reads a whole spool into memory: for tests and tooling, not for the sender."""
    reader = SpoolReader.open(path)
    try:
        records: List[dict] = []
        offset = reader.data_start
        while True:
            batch = reader.read(offset, 10_000, 4 * 1024 * 1024)
            records.extend(decode_payload(batch.payload(i)) for i in range(len(batch)))
            if batch.problem or not len(batch):
                return reader.header, records, batch.problem
            offset = batch.next
    finally:
        reader.close()


class Ack(NamedTuple):
    offset: int
    seq: int


def read_ack(run_dir: str) -> Ack:
    """What the server acknowledged; (0, 0) when ack.json is missing or unreadable (always safe)."""
    try:
        with open(os.path.join(run_dir, ACK_FILE), "r", encoding="utf-8") as f:
            parsed = json.load(f)
        offset, seq = parsed.get("offset"), parsed.get("seq")
        if isinstance(offset, int) and isinstance(seq, int) and offset >= 0 and seq >= 0:
            return Ack(offset, seq)
    except (OSError, ValueError, AttributeError):
        pass
    return Ack(0, 0)


def write_ack(run_dir: str, ack: Ack) -> None:
    """Replaces ack.json atomically (temp file + rename); not fsynced, see docs/spool-format.md."""
    tmp = os.path.join(run_dir, f"{ACK_FILE}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(dumps({"offset": ack.offset, "seq": ack.seq}) + "\n")
    os.replace(tmp, os.path.join(run_dir, ACK_FILE))
