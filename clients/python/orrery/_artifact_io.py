# Owns artifacts' traffic with the server except downloads, as the TypeScript SDK does it:
#
#   log:      POST the manifest -> a draft (or the existing version: nothing to upload) -> for each
#             missing digest: GET its upload status, PUT from `received` in parts of <= 64 MiB
#             (network error or 5xx: back off, re-read the status, at most 5 tries per part;
#             409: re-read the status) -> commit. Runs on one daemon thread per run (ArtifactUploader)
#             so training never waits or fails because of it; artifact.wait() reports the outcome.
#   use:      GET the version (checking its type), POST .../use with the run id; the returned
#             Artifact downloads through _artifact_download.py.
#
# Everything here speaks http.client directly: standard library only, bounded memory (1 MiB pieces).
from __future__ import annotations

import http.client
import json
import os
import random
import re
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple
from urllib.parse import quote, unquote, urlsplit

from ._artifacts import (
    _DRAFT, _FAILED, _LOGGED, _LOGGING, MAX_DIGEST_CHARS, NAME_RE, VERSION_REF_RE, _SCHEME, Artifact,
    ArtifactManifestEntry, _aliases, _check_path, _folder_prefix, check_artifact_path, check_manifest, file_uri,
    file_uri_path, hash_file, printable, walk_folder,
)
from ._console import warn
from ._sender import _describe_network_error
from ._values import OrreryError, describe

PART_BYTES = 64 * 2**20  # the most one PUT may carry
PART_TRIES = 5
RETRY_FOR = 60.0  # JSON calls retry an unreachable server or a 5xx this long
REQUEST_TIMEOUT = 120.0
CHUNK = 1 << 20
BACKOFF_START = 0.25
BACKOFF_CAP = 5.0
PROGRESS_EVERY = 5.0
BIG_UPLOAD = 16 * 2**20  # finish() prints progress for uploads at least this big
HEAD_TIMEOUT = 30.0


class Remote(NamedTuple):
    """Where an artifact lives: the server and its project."""

    url: str
    api_key: Optional[str]
    entity: str
    project: str

    @property
    def artifacts(self) -> str:
        return f"/api/v1/projects/{quote(self.entity, safe='')}/{quote(self.project, safe='')}/artifacts"

    def version_path(self, name: str, ref: str) -> str:
        return f"{self.artifacts}/{quote(name, safe='')}/versions/{quote(ref, safe='')}"


class ArtifactHttpError(OrreryError):
    """The server refused a request: `status`, its error `code` and `field`."""

    def __init__(self, message: str, status: int, code: Optional[str], field: Optional[str]):
        super().__init__(message, field)
        self.status = status
        self.code = code


# -- HTTP ------------------------------------------------------------------------------------------

class _Http:
    """One kept-alive connection, used by one thread at a time."""

    def __init__(self, url: str, api_key: Optional[str], timeout: float = REQUEST_TIMEOUT):
        parts = urlsplit(url)
        self.url = url
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._base = parts.path.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout
        self._conn: Optional[http.client.HTTPConnection] = None

    def request(self, method: str, path: str, body: Any = None, headers: Optional[Dict[str, str]] = None) -> http.client.HTTPResponse:
        """The response, to be read to its end by the caller; OSError or HTTPException when the
        request could not be made. A kept-alive connection the server closed is retried once."""
        hdrs = dict(headers or {})
        if self._api_key:
            hdrs["Authorization"] = f"Bearer {self._api_key}"
        for attempt in (0, 1):
            fresh = self._conn is None
            conn = self._connection()
            try:
                conn.request(method, self._base + path, body=body, headers=hdrs)
                return conn.getresponse()
            except (http.client.HTTPException, OSError):
                if hasattr(body, "read"):
                    # The server may have answered (an error) before reading the whole body.
                    try:
                        return conn.getresponse()
                    except Exception:
                        pass
                self.close()
                if fresh or attempt == 1 or hasattr(body, "read"):
                    raise
        raise OSError("request failed")

    def json(self, method: str, path: str, payload: Any = None) -> Tuple[int, Any]:
        body = None if payload is None else json.dumps(payload, allow_nan=False).encode("utf-8")
        res = self.request(method, path, body, {"Content-Type": "application/json"} if body is not None else {})
        return res.status, _parse(res.read())

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout, blocksize=CHUNK)
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout, blocksize=CHUNK)
        return self._conn


def _parse(data: bytes) -> Any:
    text = data.decode("utf-8", "replace")
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def _error_code(body: Any) -> Optional[str]:
    return body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), str) else None


def _server_message(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return str(body or "").strip()[:200]


def _retryable(status: int, body: Any) -> bool:
    return status in (408, 429) or (status >= 500 and _error_code(body) != "blob_corrupt")


def _api_error(what: str, status: int, body: Any) -> ArtifactHttpError:
    code = _error_code(body)
    field = body.get("field") if isinstance(body, dict) and isinstance(body.get("field"), str) else None
    return ArtifactHttpError(f"orrery: {what}: {_server_message(body) or 'refused'} ({status}{' ' + code if code else ''})", status, code, field)


def _backoff(failures: int) -> float:
    base = min(BACKOFF_CAP, BACKOFF_START * 2 ** min(failures - 1, 10))
    return base * (0.5 + random.random() * 0.5)


def call(http_: _Http, method: str, path: str, payload: Any, what: str, retry_for: float = RETRY_FOR) -> Any:
    """A JSON request: retried with backoff while the server is unreachable or answers 5xx (for
    up to retry_for seconds); any other refusal raises ArtifactHttpError with the server's message."""
    deadline = time.monotonic() + retry_for
    failures = 0
    while True:
        try:
            status, body = http_.json(method, path, payload)
            reason = f"answered {status}: {_server_message(body)}"
        except (OSError, http.client.HTTPException) as err:
            http_.close()
            status, body, reason = None, None, f"cannot be reached ({_describe_network_error(err)})"
        if status is not None and 200 <= status < 300:
            return body
        if status is not None and not _retryable(status, body):
            raise _api_error(what, status, body)
        failures += 1
        delay = _backoff(failures)
        if time.monotonic() + delay > deadline:
            raise OrreryError(f"orrery: {what}: the server at {http_.url} {reason}; gave up after {retry_for:g} s")
        time.sleep(delay)


# -- references ------------------------------------------------------------------------------------

def reference_entries(uri: str, scheme: str, name: Optional[str], checksum: bool, max_objects: Optional[int],
                      digest: Optional[str], size: Optional[int]) -> List[ArtifactManifestEntry]:
    """Manifest entries for add_reference (see Artifact.add_reference)."""
    if scheme == "file":
        return _file_reference(uri, name, checksum, max_objects)
    if scheme in ("http", "https"):
        parts = urlsplit(uri)
        target = name if name is not None else (os.path.basename(unquote(parts.path).rstrip("/")) or parts.hostname or "")
        _check_path(target, "add_reference", "name")
        if checksum:
            etag, length = _head(uri)
            return [ArtifactManifestEntry(target, f"etag:{etag}" if etag else _uri_digest(uri), length, uri)]
        return [ArtifactManifestEntry(target, _uri_digest(uri), None, uri)]
    # s3: no client here, so the caller's digest and size, or the URI itself and an unknown size.
    parts = urlsplit(uri)
    target = name if name is not None else (os.path.basename(parts.path.rstrip("/")) or parts.netloc)
    _check_path(target, "add_reference", "name")
    if digest is not None and (not isinstance(digest, str) or not 1 <= len(digest) <= MAX_DIGEST_CHARS or re.search("[\x00-\x1f\x7f]", digest)):
        raise OrreryError(f"orrery: add_reference: digest must be text of 1 to {MAX_DIGEST_CHARS} characters, got {describe(digest)}", "digest")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise OrreryError(f"orrery: add_reference: size must be a whole number of bytes, got {describe(size)}", "size")
    return [ArtifactManifestEntry(target, digest if digest is not None else _uri_digest(uri), size, uri)]


def _uri_digest(uri: str) -> str:
    if len(uri) > MAX_DIGEST_CHARS:
        raise OrreryError(f"orrery: add_reference: '{uri[:80]}…' is longer than {MAX_DIGEST_CHARS} characters and cannot be its own digest: use checksum=True or give digest=", "uri")
    return uri


def _file_reference(uri: str, name: Optional[str], checksum: bool, max_objects: Optional[int]) -> List[ArtifactManifestEntry]:
    path = file_uri_path(uri)
    if os.path.isdir(path):
        files = walk_folder(path, "add_reference")
        if max_objects is not None and len(files) > max_objects:
            raise OrreryError(f"orrery: add_reference: {uri} holds {len(files)} files, more than max_objects={max_objects}", "max_objects")
        prefix = _folder_prefix(name, "add_reference")
        entries = []
        for rel, full in files:
            target = f"{prefix}/{rel}" if prefix else rel
            why = check_artifact_path(target)
            if why:
                raise OrreryError(f"orrery: add_reference: {full} would be stored as '{printable(target)}', which {why}", "uri")
            entries.append(_file_entry(target, full, file_uri(uri, rel), checksum))
        return entries
    if os.path.isfile(path):
        target = name if name is not None else os.path.basename(path)
        _check_path(target, "add_reference", "name")
        return [_file_entry(target, path, uri, checksum)]
    raise OrreryError(f"orrery: add_reference: {path} (from {uri}) does not exist", "uri")


def _file_entry(target: str, path: str, ref: str, checksum: bool) -> ArtifactManifestEntry:
    if checksum:
        digest, size, _ = hash_file(path)
        return ArtifactManifestEntry(target, digest, size, ref)
    return ArtifactManifestEntry(target, _uri_digest(ref), os.path.getsize(path), ref)


def _head(uri: str) -> Tuple[Optional[str], Optional[int]]:
    try:
        with urllib.request.urlopen(urllib.request.Request(uri, method="HEAD"), timeout=HEAD_TIMEOUT) as res:
            etag = res.headers.get("ETag")
            length = res.headers.get("Content-Length")
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise OrreryError(f"orrery: add_reference: HEAD {uri} failed ({err}); pass checksum=False to record it unchecked", "uri") from err
    size = int(length) if length is not None and length.isdigit() else None
    return (etag.strip() if etag else None), size


# -- logging ---------------------------------------------------------------------------------------

def prepare_log(artifact_or_path: Any, name: Optional[str], type: Optional[str], aliases: Any,
                run_id: str) -> Tuple[Artifact, Optional[List[str]]]:
    """The artifact to log (a file, folder or URI becomes one, as in W&B) and its checked aliases;
    None instead of aliases when it was logged already (a warning says how to move aliases)."""
    if isinstance(artifact_or_path, Artifact):
        artifact = artifact_or_path
        if artifact._state != _DRAFT:
            warn(f"artifact {artifact.source_name} was already logged or comes from the server; log_artifact ignores it "
                 "(to move aliases, change artifact.aliases and call artifact.save(); for new content make a new orrery.Artifact)")
            return artifact, None
    else:
        try:
            path = os.fspath(artifact_or_path)
        except TypeError:
            raise OrreryError(f"orrery: log_artifact takes an orrery.Artifact or a path, got {describe(artifact_or_path)}", "artifact_or_path") from None
        base = os.path.basename(path.rstrip("/\\")) or "artifact"
        default_name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"run-{run_id}-{base}")[:128]
        artifact = Artifact(name or default_name, type or "unspecified")
        if _SCHEME.match(path):
            artifact.add_reference(path)
        elif os.path.isdir(path):
            artifact.add_dir(path)
        else:
            artifact.add_file(path)
    extra = [aliases] if isinstance(aliases, str) else list(aliases or [])
    return artifact, _aliases(list(artifact.aliases) + extra, "log_artifact")


def refuse_log(artifact: Artifact, reason: str, loud: bool = True) -> Artifact:
    """Marks an artifact as not logged (wait() raises with the reason) and returns it."""
    if artifact._state != _DRAFT:
        return artifact
    if loud:
        warn(f"artifact {artifact.name} was not logged: {reason}")
    artifact._error = OrreryError(f"orrery: artifact {artifact.name} was not logged: {reason}")
    artifact._state = _FAILED
    artifact._done.set()
    return artifact


def log_now(remote: Remote, artifact: Artifact, entries: List[ArtifactManifestEntry], aliases: List[str],
            run_id: Optional[str]) -> Dict[str, Any]:
    """Creates the version (uploading what the server lacks) and returns the ArtifactVersion."""
    manifest = [e.to_json() for e in entries]
    problem = check_manifest(manifest)
    if problem is not None:
        raise OrreryError(f"orrery: artifact {artifact.name}: manifest[{problem[0]}].{problem[1]}: {problem[2]}", "manifest")
    body: Dict[str, Any] = {
        "name": artifact.name, "type": artifact.type, "description": artifact.description or "",
        "metadata": artifact.metadata, "manifest": manifest, "aliases": aliases,
    }
    if run_id is not None:
        body["runId"] = run_id
    what = f"logging artifact {artifact.name}"
    local: Dict[str, ArtifactManifestEntry] = {}
    for e in entries:
        if e.ref is None:
            local.setdefault(e.digest, e)
    http_ = _Http(remote.url, remote.api_key)
    try:
        for attempt in (0, 1):
            draft = call(http_, "POST", remote.artifacts, body, what)
            missing = list(draft.get("missing") or [])
            # Committed content whose blob the server lost (quarantined as corrupt) still lists it
            # as missing: uploading it again repairs the existing version.
            if draft.get("state") == "committed" and not missing:
                return draft["version"]
            unknown = [d for d in missing if d not in local]
            if unknown:
                raise OrreryError(f"orrery: {what}: the server asks for blob {unknown[0]}, which is not a file of this artifact")
            artifact._progress[:] = [0, sum(local[d].size or 0 for d in missing)]
            for d in missing:
                _upload_blob(http_, local[d], artifact, what)
            if draft.get("state") == "committed":
                return draft["version"]
            commit = f"{remote.artifacts}/{quote(artifact.name, safe='')}/drafts/{quote(str(draft['draftId']), safe='')}/commit"
            try:
                return call(http_, "POST", commit, {}, what)
            except ArtifactHttpError as err:
                # A blob vanished between upload and commit (gc of an idle upload): start again once.
                if attempt == 1 or err.status != 409:
                    raise
        raise OrreryError(f"orrery: {what}: the server kept refusing the commit")
    finally:
        http_.close()


class _PartReader:
    """Bytes [offset, offset + length) of an open file, read in 1 MiB pieces, counted as sent."""

    def __init__(self, f: Any, offset: int, length: int, on_bytes: Callable[[int], None]):
        f.seek(offset)
        self._f = f
        self._left = length
        self._on_bytes = on_bytes

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        if n is None or n < 0 or n > self._left:
            n = self._left
        data = self._f.read(min(n, CHUNK))
        if not data:
            raise OSError("the file got shorter while it was being uploaded")
        self._left -= len(data)
        self._on_bytes(len(data))
        return data


def _upload_blob(http_: _Http, entry: ArtifactManifestEntry, artifact: Artifact, what: str) -> None:
    digest, size, path = entry.digest, int(entry.size or 0), entry.local_path
    if path is None:
        raise OrreryError(f"orrery: {what}: '{entry.path}' has no local file to upload")
    status_path = f"/api/v1/blobs/{digest}/upload"
    base_done = artifact._progress[0]
    status = call(http_, "GET", status_path, None, what)
    failures = 0
    while not status.get("complete"):
        offset = int(status.get("received") or 0)
        sent = [0]
        artifact._progress[0] = base_done + offset

        def count(n: int) -> None:
            sent[0] += n
            artifact._progress[0] = base_done + offset + sent[0]

        reason = ""
        st: Optional[int] = None
        body: Any = None
        if offset >= size and size > 0:
            reason = f"the server holds {offset} of {size} bytes but has not completed the blob"
        else:
            _check_unchanged(entry, artifact.name, what)
            length = min(PART_BYTES, size - offset)
            try:
                with open(path, "rb") as f:
                    res = http_.request("PUT", f"{status_path}?offset={offset}&size={size}", _PartReader(f, offset, length, count),
                                        {"Content-Type": "application/octet-stream", "Content-Length": str(length)})
                    st, body = res.status, _parse(res.read())
            except (OSError, http.client.HTTPException) as err:
                http_.close()
                reason = _describe_network_error(err)
        if st == 200 and isinstance(body, dict):
            status = body
            failures = 0
            continue
        if st is not None:
            if st == 400 and _error_code(body) == "digest_mismatch":
                raise OrreryError(f"orrery: {what}: {path} no longer has the content hashed when it was added (the server received other bytes): "
                                  "it changed while uploading; add it to a new artifact and log again")
            if st != 409 and not _retryable(st, body):
                raise _api_error(what, st, body)
            reason = f"answered {st}: {_server_message(body)}"
        failures += 1
        if failures >= PART_TRIES:
            raise OrreryError(f"orrery: {what}: uploading {path} failed {PART_TRIES} times ({reason}); the server keeps the bytes it "
                              f"received: log the artifact again to resume")
        if st != 409:
            time.sleep(_backoff(failures))
        status = call(http_, "GET", status_path, None, what)
    artifact._progress[0] = base_done + size


def _check_unchanged(entry: ArtifactManifestEntry, name: str, what: str) -> None:
    try:
        st = os.stat(entry.local_path or "")
    except OSError as err:
        raise OrreryError(f"orrery: {what}: {entry.local_path} was added to artifact {name} but cannot be read now ({err.strerror or err})") from err
    if st.st_size != entry.size or (entry._mtime_ns is not None and st.st_mtime_ns != entry._mtime_ns):
        raise OrreryError(f"orrery: {what}: {entry.local_path} changed after it was added to artifact {name}: add it to a new artifact and "
                          "log again (if training overwrites it, save each checkpoint under a new name, or wait() before overwriting)")


class ArtifactUploader:
    """Logs a run's artifacts one after the other on a daemon thread; never raises into training."""

    def __init__(self, remote: Remote, run_id: str):
        self.remote = remote
        self.run_id = run_id
        self._jobs: List[Tuple[Artifact, List[ArtifactManifestEntry], List[str]]] = []
        self._pending: List[Artifact] = []
        self._cond = threading.Condition()
        self._thread: Optional[threading.Thread] = None
        self._stopped = False

    def submit(self, artifact: Artifact, aliases: List[str]) -> None:
        artifact._state = _LOGGING
        entries = list(artifact._entries.values())
        with self._cond:
            self._jobs.append((artifact, entries, aliases))
            self._pending.append(artifact)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="orrery-artifacts", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def pending(self) -> List[Artifact]:
        with self._cond:
            return list(self._pending)

    def wait_all(self) -> None:
        """Blocks until every submitted artifact is logged or failed, printing progress of big ones."""
        last = time.monotonic()
        announced = False
        for art in self.pending():
            while not art._done.wait(1.0):
                done, total = art._progress
                now = time.monotonic()
                if total >= BIG_UPLOAD and (not announced or now - last >= PROGRESS_EVERY):
                    warn(f"uploading artifact {art.name}: {done / 2**20:.0f} of {total / 2**20:.0f} MiB")
                    announced, last = True, now

    def abandon(self) -> None:
        """The process is dying: say what is left; the server keeps partial uploads for a resume."""
        self._stopped = True
        for art in self.pending():
            warn(f"artifact {art.name} was not fully uploaded; log it again to resume the upload")

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._jobs:
                    self._cond.wait()
                artifact, entries, aliases = self._jobs.pop(0)
            try:
                version = log_now(self.remote, artifact, entries, aliases, self.run_id)
                artifact._set_version(version, self.remote)
                artifact._state = _LOGGED
                artifact._cleanup_tmp()
            except Exception as err:  # never let background work disturb training
                if not isinstance(err, OrreryError):
                    err = OrreryError(f"orrery: logging artifact {artifact.name} failed: {type(err).__name__}: {err}")
                artifact._error = err
                artifact._state = _FAILED
                if not self._stopped:
                    warn(f"artifact {artifact.name} was not logged: {str(err).replace('orrery: ', '', 1)}")
            finally:
                artifact._done.set()
                with self._cond:
                    if artifact in self._pending:
                        self._pending.remove(artifact)


# -- using -----------------------------------------------------------------------------------------

def parse_use_ref(ref: Any, remote: Remote) -> Tuple[Remote, str, str]:
    """`name`, `name:alias`, `name:v3`, `project/name:alias`, `entity/project/name:alias`."""
    if not isinstance(ref, str) or not ref:
        raise OrreryError(f"orrery: use_artifact takes \"name:alias\" (or an orrery.Artifact), got {describe(ref)}", "artifact_or_name")
    entity, project = remote.entity, remote.project
    head, _, last = ref.rpartition("/")
    if head:
        bits = head.split("/")
        if len(bits) == 1:
            project = bits[0]
        elif len(bits) == 2:
            entity, project = bits
        else:
            raise OrreryError(f"orrery: use_artifact: '{ref}' has too many '/': write entity/project/name:alias", "artifact_or_name")
    name, colon, version = last.rpartition(":")
    if not colon:
        name, version = last, "latest"
    for what, value, rx in (("entity", entity, NAME_RE), ("project", project, NAME_RE), ("name", name, NAME_RE), ("version or alias", version, VERSION_REF_RE)):
        if not rx.fullmatch(value):
            raise OrreryError(f"orrery: use_artifact: '{ref}' has an invalid {what} '{value}' (letters, digits, '_', '.', '-')", "artifact_or_name")
    return Remote(remote.url, remote.api_key, entity, project), name, version


def use_now(remote: Remote, artifact_or_name: Any, type: Optional[str], aliases: Any, run_id: Optional[str]) -> Artifact:
    """Records that the run uses a version and returns it as an Artifact (downloadable)."""
    if isinstance(artifact_or_name, Artifact):
        artifact = artifact_or_name
        if artifact._state == _DRAFT:
            # W&B logs a new artifact passed to use_artifact; here it is stored without a producer.
            artifact._state = _LOGGING
            try:
                artifact._set_version(log_now(remote, artifact, list(artifact._entries.values()), _aliases(artifact.aliases, "use_artifact"), None), remote)
                artifact._state = _LOGGED
                artifact._cleanup_tmp()
            except BaseException as err:
                artifact._state, artifact._error = _FAILED, err
                raise
            finally:
                artifact._done.set()
        artifact.wait()
        target, name, version = artifact._remote, artifact.name, artifact.version
    else:
        target, name, version = parse_use_ref(artifact_or_name, remote)
        artifact = None
    what = f"using artifact {name}:{version}"
    http_ = _Http(target.url, target.api_key)
    try:
        v = call(http_, "GET", target.version_path(name, version), None, what)
        if type is not None and v.get("type") != type:
            raise OrreryError(f"orrery: use_artifact: {name}:{version} is of type '{v.get('type')}', not '{type}'", "type")
        if run_id is not None:
            v = call(http_, "POST", f"{target.version_path(name, v['version'])}/use", {"runId": run_id}, what)
        add = _aliases(aliases, "use_artifact")
        if add:
            v = call(http_, "PATCH", target.version_path(name, v["version"]), {"aliases": {"add": add}}, what)
    finally:
        http_.close()
    if artifact is None:
        return Artifact._from_version(v, target)
    artifact._set_version(v, target)
    return artifact


def fetch_manifest(remote: Remote, name: str, version: str) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    cursor: Optional[str] = None
    http_ = _Http(remote.url, remote.api_key)
    try:
        while True:
            query = "?limit=10000" + (f"&cursor={quote(cursor, safe='')}" if cursor else "")
            page = call(http_, "GET", f"{remote.version_path(name, version)}/manifest{query}", None, f"reading the files of {name}:{version}")
            out.extend(page.get("entries") or [])
            cursor = page.get("nextCursor")
            if not cursor:
                return out
    finally:
        http_.close()


def patch_version(remote: Remote, name: str, version: str, patch: Dict[str, Any]) -> Dict[str, Any]:
    http_ = _Http(remote.url, remote.api_key)
    try:
        return call(http_, "PATCH", remote.version_path(name, version), patch, f"saving artifact {name}:{version}")
    finally:
        http_.close()
