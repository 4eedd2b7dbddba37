# Owns artifact downloads and the local cache, as the TypeScript SDK's download.ts and cache.ts do:
# every stored file goes through the digest-keyed cache <cache>/artifacts/sha256/aa/rest (the same
# layout, so the two SDKs share it). A cached digest of the right size is used without a request;
# else GET /blobs/:digest into tmp/<digest>.part (resumed with Range after an interruption; one
# process at a time per digest, by the lock file <digest>.lock the TS SDK also takes), SHA-256 checked, renamed in. Only when every file is in
# the cache are they copied into the target folder, each destination checked first, so a corrupt
# blob or a refused path writes nothing there. References: file:// copied from its location
# (checked when its digest is a SHA-256), https:// fetched, s3:// refused.
from __future__ import annotations

import hashlib
import http.client
import os
import random
import shutil
import socket
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, List, Optional, Tuple

from ._artifact_io import (
    CHUNK, PART_TRIES, REQUEST_TIMEOUT, Remote, _api_error, _backoff, _describe_network_error, _error_code, _Http, _parse,
    _retryable, _server_message,
)
from ._artifacts import (
    _SCHEME, DIGEST_RE, ArtifactManifestEntry, check_artifact_path, check_manifest, file_uri_path, is_inside, printable,
)
from ._console import warn
from ._values import OrreryError


def cache_root() -> str:
    """$ORRERY_CACHE_DIR, else ~/.cache/orrery (the TypeScript SDK's rule)."""
    configured = os.environ.get("ORRERY_CACHE_DIR")
    return os.path.abspath(configured) if configured else os.path.join(os.path.expanduser("~"), ".cache", "orrery")


def cache_path(digest: str, root: Optional[str] = None) -> str:
    return os.path.join(root or cache_root(), "artifacts", "sha256", digest[:2], digest[2:])


def _cached(path: str, size: Optional[int]) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return size is None or st.st_size == size


_LOCK_POLL = 0.2
_LOCK_STALE = 3600.0


def _lock_stale(path: str) -> bool:
    try:
        with open(path, "r", encoding="utf-8") as f:
            text = f.read().strip()
        age = time.time() - os.stat(path).st_mtime
    except OSError:
        return False  # released meanwhile: the next try takes it
    if age > _LOCK_STALE:
        return True
    pid, _, host = text.partition("@")
    if not pid.isdigit() or host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _lock(tmp_dir: str, digest: str) -> Callable[[], None]:
    """Waits until this process alone fills the digest's part; returns the release.

    The lock is the file <digest>.lock, the one the TypeScript SDK takes, so both clients sharing
    one cache never append to the same part. A lock whose process is gone (same host) or older than
    an hour is taken over.
    """
    path = os.path.join(tmp_dir, f"{digest}.lock")
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _lock_stale(path):
                _unlink_quietly(path)
            else:
                time.sleep(_LOCK_POLL)
            continue
        try:
            os.write(fd, f"{os.getpid()}@{socket.gethostname()}\n".encode("utf-8"))
        finally:
            os.close(fd)
        return lambda: _unlink_quietly(path)


def download_entries(remote: Remote, label: str, entries: List[ArtifactManifestEntry], folder: str,
                     allow_missing_references: bool) -> Dict[str, str]:
    """Fetches entries into the cache, then copies them into folder; returns path -> local file."""
    problem = check_manifest([e.to_json() for e in entries])
    if problem is not None:
        raise OrreryError(f"orrery: downloading {label}: the server's manifest is refused: entry {problem[0]} {problem[1]}: {problem[2]}")
    cache = cache_root()
    http_ = _Http(remote.url, remote.api_key)
    staged: List[str] = []
    sources: Dict[str, str] = {}
    try:
        for e in entries:
            if e.ref is None:
                sources[e.path] = _ensure_cached(http_, cache, e, label, folder)
            else:
                src = _fetch_reference(cache, e, label, folder, staged, allow_missing_references)
                if src is not None:
                    sources[e.path] = src
        return _place(folder, sources, label)
    finally:
        http_.close()
        for p in staged:
            try:
                os.unlink(p)
            except OSError:
                pass


def _ensure_cached(http_: _Http, cache: str, e: ArtifactManifestEntry, label: str, folder: str) -> str:
    digest, size = e.digest, int(e.size or 0)
    final = cache_path(digest, cache)
    if _cached(final, size):
        return final
    tmp_dir = os.path.join(cache, "artifacts", "tmp")
    os.makedirs(tmp_dir, exist_ok=True)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    part = os.path.join(tmp_dir, f"{digest}.part")
    what = f"downloading '{e.path}' of {label}"
    release = _lock(tmp_dir, digest)
    try:
        return _fill(http_, e, final, part, what, folder)
    finally:
        release()


def _fill(http_: _Http, e: ArtifactManifestEntry, final: str, part: str, what: str, folder: str) -> str:
    digest, size = e.digest, int(e.size or 0)
    with open(part, "a+b") as f:
        if _cached(final, size):  # another process finished it while this one waited
            if os.fstat(f.fileno()).st_size == 0 and os.path.exists(part):
                _unlink_quietly(part)
            return final
        h, have = _hash_prefix(f)
        if have > size:
            f.truncate(0)
            h, have = hashlib.sha256(), 0
        failures = 0
        while have < size:
            reason = ""
            try:
                res = http_.request("GET", f"/api/v1/blobs/{digest}", None, {"Range": f"bytes={have}-"} if have else {})
                if res.status in (200, 206):
                    if res.status == 200 and have:
                        f.truncate(0)
                        h, have = hashlib.sha256(), 0
                    length = res.getheader("Content-Length")
                    if length is not None and length.isdigit() and have + int(length) != size:
                        http_.close()
                        raise _corrupt(what, digest, f"the server's copy has {have + int(length)} bytes where the manifest says {size}", folder, part, f)
                    while True:
                        chunk = res.read(CHUNK)
                        if not chunk:
                            break
                        f.write(chunk)
                        h.update(chunk)
                        have += len(chunk)
                        if have > size:
                            http_.close()
                            raise _corrupt(what, digest, f"the server sent more than the {size} bytes the manifest says", folder, part, f)
                    f.flush()
                    if have < size:
                        http_.close()
                        reason = f"the transfer stopped at byte {have} of {size}"
                else:
                    body = _parse(res.read())
                    if res.status == 416:
                        f.truncate(0)
                        h, have = hashlib.sha256(), 0
                        reason = "the server refused the resume range"
                    elif _error_code(body) == "blob_corrupt":
                        _discard(part, f)  # the server's own check failed: its bytes are not worth resuming from
                        raise OrreryError(f"orrery: {what}: {_server_message(body)}; nothing was written to {folder}")
                    elif not _retryable(res.status, body):
                        raise _api_error(what, res.status, body)
                    else:
                        reason = f"answered {res.status}: {_server_message(body)}"
            except (OSError, http.client.HTTPException) as err:
                http_.close()
                reason = _describe_network_error(err)
            if not reason:
                continue
            failures += 1
            if failures >= PART_TRIES:
                raise OrreryError(f"orrery: {what}: failed {PART_TRIES} times ({reason}); the {have} bytes received are kept "
                                  f"in {part} and the next download resumes from there; nothing was written to {folder}")
            time.sleep(_backoff(failures))
        actual = h.hexdigest()
        if actual != digest:
            raise _corrupt(what, digest, f"its bytes hash to {actual}", folder, part, f)
        os.replace(part, final)
    return final


def _hash_prefix(f: Any) -> Tuple[Any, int]:
    """SHA-256 state and length of what an interrupted download left in the part file."""
    h = hashlib.sha256()
    f.seek(0)
    have = 0
    while True:
        chunk = f.read(CHUNK)
        if not chunk:
            break
        h.update(chunk)
        have += len(chunk)
    return h, have


def _discard(part: str, f: Any) -> None:
    try:
        f.truncate(0)
    except OSError:
        pass
    _unlink_quietly(part)


def _corrupt(what: str, digest: str, detail: str, folder: str, part: str, f: Any) -> OrreryError:
    """Drops the part file and says the server's copy is corrupt."""
    _discard(part, f)
    return OrreryError(f"orrery: {what}: the server's copy of blob {digest} is corrupt ({detail}); nothing was written to {folder}: "
                       "log the artifact again from the original files to repair it")


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fetch_reference(cache: str, e: ArtifactManifestEntry, label: str, folder: str, staged: List[str],
                     allow_missing: bool) -> Optional[str]:
    ref = e.ref or ""
    scheme = _SCHEME.match(ref).group(1) if _SCHEME.match(ref) else ""
    what = f"downloading '{e.path}' of {label}"
    if scheme == "file":
        path = file_uri_path(ref)
        if not os.path.isfile(path):
            return _missing(what, f"it is a reference to {ref}, which does not exist here", allow_missing)
        if DIGEST_RE.fullmatch(e.digest):
            return _cache_local_file(cache, path, e.digest, what)
        return path
    if scheme in ("http", "https"):
        tmp = os.path.join(cache, "artifacts", "tmp", f"ref-{os.getpid()}-{random.getrandbits(48):012x}")
        os.makedirs(os.path.dirname(tmp), exist_ok=True)
        staged.append(tmp)
        h = hashlib.sha256()
        size = 0
        try:
            with urllib.request.urlopen(ref, timeout=REQUEST_TIMEOUT) as res, open(tmp, "wb") as out:
                while True:
                    chunk = res.read(CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    h.update(chunk)
                    size += len(chunk)
        except (urllib.error.URLError, OSError, ValueError) as err:
            return _missing(what, f"fetching {ref} failed ({err})", allow_missing)
        if e.size is not None and size != e.size:
            raise OrreryError(f"orrery: {what}: {ref} has {size} bytes, the artifact recorded {e.size}: it changed since it was referenced")
        if DIGEST_RE.fullmatch(e.digest) and h.hexdigest() != e.digest:
            raise OrreryError(f"orrery: {what}: {ref} has SHA-256 {h.hexdigest()}, the artifact recorded {e.digest}: it changed since it was referenced")
        return tmp
    return _missing(what, f"it is a reference to {ref}, and this client has no S3 client (standard library only): "
                          f"fetch it with your S3 tools, e.g. aws s3 cp {ref} {os.path.join(folder, e.path)}", allow_missing)


def _missing(what: str, reason: str, allow_missing: bool) -> None:
    if allow_missing:
        warn(f"{what.replace('downloading', 'skipped', 1)}: {reason}")
        return None
    raise OrreryError(f"orrery: {what}: {reason}")


def _cache_local_file(cache: str, path: str, digest: str, what: str) -> str:
    """Copies a file:// reference into the cache, checking its SHA-256 on the way."""
    final = cache_path(digest, cache)
    if _cached(final, None):
        return final
    os.makedirs(os.path.dirname(final), exist_ok=True)
    tmp_dir = os.path.join(cache, "artifacts", "tmp")
    os.makedirs(tmp_dir, exist_ok=True)
    part = os.path.join(tmp_dir, f"{digest}.{os.getpid()}.{random.getrandbits(32):08x}.part")
    h = hashlib.sha256()
    try:
        with open(path, "rb") as src, open(part, "wb") as out:
            while True:
                chunk = src.read(CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                h.update(chunk)
        if h.hexdigest() != digest:
            raise OrreryError(f"orrery: {what}: {path} has SHA-256 {h.hexdigest()}, the artifact recorded {digest}: it changed since it was referenced")
        os.replace(part, final)
    finally:
        _unlink_quietly(part)
    return final


def _place(folder: str, sources: Dict[str, str], label: str) -> Dict[str, str]:
    """Copies each source to folder/path; every destination is checked before anything is written."""
    root_existed = os.path.isdir(folder)
    if os.path.exists(folder) and not root_existed:
        raise OrreryError(f"orrery: downloading {label}: {folder} exists and is not a folder")
    os.makedirs(folder, exist_ok=True)
    real_root = os.path.realpath(folder)
    dests = {path: _destination(folder, real_root, path, label) for path in sorted(sources)}
    placed: Dict[str, str] = {}
    for path, dest in dests.items():
        parent = os.path.dirname(dest)
        os.makedirs(parent, exist_ok=True)
        if not is_inside(os.path.realpath(parent), real_root):
            raise OrreryError(f"orrery: downloading {label}: {parent} leads outside {folder}; '{path}' was not written")
        tmp = f"{dest}.orrery-{os.getpid()}.tmp"
        try:
            shutil.copyfile(sources[path], tmp)
            os.replace(tmp, dest)
        finally:
            _unlink_quietly(tmp)
        placed[path] = dest
    return placed


def _destination(folder: str, real_root: str, path: str, label: str) -> str:
    """folder/path once path passes checkArtifactPath and no existing folder on the way is a link out."""
    why = check_artifact_path(path)
    if why:
        raise OrreryError(f"orrery: downloading {label}: path '{printable(path)}' {why}")
    segments = path.split("/")
    current = folder
    for seg in segments[:-1]:
        current = os.path.join(current, seg)
        if os.path.islink(current) and not is_inside(os.path.realpath(current), real_root):
            raise OrreryError(f"orrery: downloading {label}: {current} is a symlink leading outside {folder}; nothing was written through it")
        if os.path.exists(current) and not os.path.isdir(current):
            raise OrreryError(f"orrery: downloading {label}: {current} is a file, so '{path}' cannot be written below it")
    dest = os.path.join(current, segments[-1])
    if os.path.isdir(dest) and not os.path.islink(dest):
        raise OrreryError(f"orrery: downloading {label}: {dest} is a folder, so the file '{path}' cannot be written there")
    return dest
