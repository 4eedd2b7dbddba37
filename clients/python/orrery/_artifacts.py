# Owns orrery.Artifact, W&B's Artifact: a named, typed set of files (a manifest of path, size and
# SHA-256) built with add_file / add_dir / add_reference / new_file, and the rules every client and
# the server must agree on byte for byte (packages/protocol/src/wire/artifacts.ts): which paths an
# artifact may hold (check_artifact_path, check_manifest) and the canonical text whose SHA-256 is
# the manifest's digest. Talking to the server is _artifact_io.py's (log, use) and
# _artifact_download.py's (download, the local cache); this module itself opens no connection.
#
# Files are hashed when added (streamed, bounded memory) and read again when uploaded; a file that
# changed in between fails the upload with an error saying so, rather than storing bytes that do
# not match the manifest.
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import threading
import weakref
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import quote, unquote, urlsplit

from ._values import OrreryError, as_mapping, describe, to_json

# Limits and patterns of packages/protocol/src/wire/artifacts.ts (and limits.ts for names).
MAX_MANIFEST_ENTRIES = 100_000
MAX_ARTIFACT_PATH_CHARS = 1024
MAX_REF_CHARS = 4096
MAX_DIGEST_CHARS = 512
MAX_BLOB_BYTES = 2**40
LATEST_ALIAS = "latest"
REFERENCE_SCHEMES = ("file", "s3", "https", "http")
MANIFEST_HEADER = "orrery-manifest-v1\n"

DIGEST_RE = re.compile(r"[0-9a-f]{64}")
NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,128}")
TYPE_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
ALIAS_RE = re.compile(r"(?![vV][0-9]+\Z)[A-Za-z0-9_.-]{1,64}")
VERSION_REF_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_CONTROL = re.compile("[\x01-\x1f\x7f]")
_CONTROL_OR_NUL = re.compile("[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"[A-Za-z]:")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*)://")
_READ_CHUNK = 1 << 20


# -- the shared rules --------------------------------------------------------------------------------

def check_artifact_path(path: Any) -> Optional[str]:
    """Why an artifact path is refused, or None: checkArtifactPath of the protocol, rule for rule
    and message for message. Lengths count UTF-16 code units, as JavaScript's `length` does."""
    if not isinstance(path, str):
        return f"is {describe(path)}, not a string"
    if path == "":
        return "is empty"
    if len(path.encode("utf-16-le", "surrogatepass")) // 2 > MAX_ARTIFACT_PATH_CHARS:
        return f"is longer than {MAX_ARTIFACT_PATH_CHARS} characters"
    if "\0" in path:
        return "contains a NUL character"
    if _CONTROL.search(path):
        return "contains a control character"
    if path.startswith("/"):
        return "is absolute: give a path relative to the artifact root"
    if _DRIVE.match(path):
        return "starts with a drive letter: give a path relative to the artifact root"
    if "\\" in path:
        return "contains '\\': separate folders with '/'"
    for segment in path.split("/"):
        if segment == "":
            return "has an empty segment ('//' or a trailing '/')"
        if segment == "..":
            return "contains '..': it would escape the artifact"
        if segment == ".":
            return "contains a '.' segment: write the path without it"
    # Python only: a file name that is not UTF-8 on disk arrives as lone surrogates, which have no
    # UTF-8 form, so the server could not hash the manifest the way this client does.
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid UTF-8 (a file name in another encoding?): rename the file"
    return None


def check_manifest(entries: Sequence[Dict[str, Any]]) -> Optional[Tuple[int, str, str]]:
    """Why a manifest is refused as (index, field, message), or None: checkManifest of the protocol.
    Entries are wire dicts: path, digest, size and, for references, ref."""
    seen: Dict[str, int] = {}
    for i, e in enumerate(entries):
        path = e.get("path")
        why = check_artifact_path(path)
        if why:
            return i, "path", f"path '{printable(path) if isinstance(path, str) else path}' {why}"
        if path in seen:
            return i, "path", f"path '{path}' appears twice: each path names one file"
        seen[path] = i
        digest = e.get("digest")
        if not isinstance(digest, str) or not 1 <= len(digest) <= MAX_DIGEST_CHARS:
            return i, "digest", f"digest must be a string of 1 to {MAX_DIGEST_CHARS} characters"
        if _CONTROL_OR_NUL.search(digest):
            return i, "digest", "digest contains a control character"
        ref = e.get("ref")
        if ref is not None and (not isinstance(ref, str) or _CONTROL_OR_NUL.search(ref)):
            return i, "ref", "reference contains a control character"
        size = e.get("size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_BLOB_BYTES):
            return i, "size", f"size must be a whole number of bytes from 0 to {MAX_BLOB_BYTES}, got {describe(size)}"
        if ref is None:
            if not DIGEST_RE.fullmatch(digest):
                return i, "digest", f"'{printable(digest)[:80]}' is not a SHA-256 (64 lower-case hex digits)"
            if size is None:
                return i, "size", "a stored file needs its size in bytes"
        else:
            m = _SCHEME.match(ref)
            if not m or m.group(1) not in REFERENCE_SCHEMES:
                schemes = ", ".join(f"{s}://" for s in REFERENCE_SCHEMES)
                return i, "ref", f"reference '{printable(ref)[:80]}' must start with {schemes}"
    for path in seen:
        cut = path.find("/")
        while cut != -1:
            folder = path[:cut]
            if folder in seen:
                return seen[folder], "path", f"'{folder}' is a file and also the folder of '{path}'"
            cut = path.find("/", cut + 1)
    return None


def printable(s: str) -> str:
    return _CONTROL_OR_NUL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", s)


def manifest_canonical_text(entries: Sequence[Dict[str, Any]]) -> str:
    """manifestCanonicalText of the protocol: a header line, then per entry in path order (by code
    point, which is UTF-8 byte order) the lines path, digest, size ("" when None), ref ("" when stored)."""
    parts = [MANIFEST_HEADER]
    for e in sorted(entries, key=lambda e: e["path"]):
        size = e.get("size")
        parts.append(f"{e['path']}\n{e['digest']}\n{'' if size is None else size}\n{e.get('ref') or ''}\n")
    return "".join(parts)


def manifest_digest(entries: Sequence[Dict[str, Any]]) -> str:
    return hashlib.sha256(manifest_canonical_text(entries).encode("utf-8")).hexdigest()


def hash_file(path: str) -> Tuple[str, int, int]:
    """(SHA-256 hex, size, mtime in ns) of a file, read in 1 MiB pieces."""
    h = hashlib.sha256()
    buf = bytearray(_READ_CHUNK)
    view = memoryview(buf)
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        size = 0
        while True:
            n = f.readinto(buf)
            if not n:
                break
            h.update(view[:n])
            size += n
    return h.hexdigest(), size, st.st_mtime_ns


def is_inside(path: str, root: str) -> bool:
    """Whether the real path `path` is `root` or below it (both already resolved)."""
    if path == root:
        return True
    return path.startswith(root if root.endswith(os.sep) else root + os.sep)


# -- entries and manifests ---------------------------------------------------------------------------

class ArtifactManifestEntry:
    """One file of an artifact: its path inside the artifact, SHA-256 (or, for a reference, what
    identifies the content), size, and `ref` for an external file recorded without copying."""

    __slots__ = ("path", "digest", "size", "ref", "local_path", "_mtime_ns", "_artifact")

    def __init__(self, path: str, digest: str, size: Optional[int], ref: Optional[str] = None,
                 local_path: Optional[str] = None, mtime_ns: Optional[int] = None, artifact: Any = None):
        self.path = path
        self.digest = digest
        self.size = size
        self.ref = ref
        self.local_path = local_path
        self._mtime_ns = mtime_ns
        self._artifact = artifact

    @property
    def name(self) -> str:
        return self.path

    def to_json(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"path": self.path, "digest": self.digest, "size": self.size}
        if self.ref is not None:
            out["ref"] = self.ref
        return out

    def download(self, root: Optional[str] = None) -> str:
        """Downloads this one file (through the cache) and returns its local path."""
        if self._artifact is None:
            raise OrreryError(f"orrery: {self.path} belongs to no artifact that can be downloaded")
        return self._artifact._download_entries([self], root)[self.path]

    def __repr__(self) -> str:
        where = f" -> {self.ref}" if self.ref else ""
        return f"<ArtifactManifestEntry {self.path} {self.size} bytes sha256:{self.digest[:12]}{where}>"


class ArtifactManifest:
    """An artifact's files by path (W&B's artifact.manifest)."""

    def __init__(self, entries: Dict[str, ArtifactManifestEntry]):
        self.entries = entries

    def digest(self) -> str:
        return manifest_digest(self.to_json())

    def to_json(self) -> List[Dict[str, Any]]:
        return [e.to_json() for e in self.entries.values()]

    def get_entry_by_path(self, path: str) -> Optional[ArtifactManifestEntry]:
        return self.entries.get(path)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[ArtifactManifestEntry]:
        return iter(sorted(self.entries.values(), key=lambda e: e.path))

    def __contains__(self, path: object) -> bool:
        return path in self.entries


# -- the artifact ----------------------------------------------------------------------------------

_DRAFT, _LOGGING, _LOGGED, _FAILED, _REMOTE = "draft", "logging", "logged", "failed", "remote"


class Artifact:
    """A versioned set of files, like wandb.Artifact:

        art = orrery.Artifact("mnist-cnn", type="model", metadata={"acc": 0.98})
        art.add_file("model.pt")
        run.log_artifact(art, aliases=["best"])   # uploads in the background
        art.wait()                                # optional: blocks, raises if the upload failed

    and, from another run, `run.use_artifact("mnist-cnn:best").download()`.
    """

    def __init__(self, name: str, type: str, description: Optional[str] = None, metadata: Any = None,
                 incremental: bool = False, use_as: Optional[str] = None):
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise OrreryError(f"orrery.Artifact: name must be 1 to 128 letters, digits, '_', '.' or '-', got {describe(name)}", "name")
        if not isinstance(type, str) or not TYPE_RE.fullmatch(type):
            raise OrreryError(f"orrery.Artifact: type must be 1 to 64 letters, digits, '_', '.' or '-' (model, dataset, ...), got {describe(type)}", "type")
        if description is not None and not isinstance(description, str):
            raise OrreryError(f"orrery.Artifact: description must be text, got {describe(description)}", "description")
        self.name = name
        self.type = type
        self.description = description
        self.metadata: Dict[str, Any] = _metadata(metadata)
        self.aliases: List[str] = []
        self.version: Optional[str] = None
        self.index: Optional[int] = None
        self.entity: Optional[str] = None
        self.project: Optional[str] = None
        self.created_at: Optional[str] = None
        self.created_by: Optional[str] = None
        self._entries: Dict[str, ArtifactManifestEntry] = {}
        self._folders: Dict[str, str] = {}
        self._server_digest: Optional[str] = None
        self._server_size: Optional[int] = None
        self._server_count: Optional[int] = None
        self._server_aliases: List[str] = []
        self._manifest_loaded = True
        self._state = _DRAFT
        self._remote: Any = None
        self._done = threading.Event()
        self._error: Optional[BaseException] = None
        self._progress = [0, 0]  # bytes uploaded, bytes to upload
        self._tmp_dir: Optional[str] = None
        self._tmp_finalizer: Any = None

    # -- building ----------------------------------------------------------------------------------

    def add_file(self, local_path: Any, name: Optional[str] = None, is_tmp: bool = False, skip_cache: Any = None,
                 policy: Any = None, overwrite: bool = False) -> ArtifactManifestEntry:
        """Adds one file as `name` (its base name by default); hashes it now."""
        self._check_draft("add_file")
        path = os.fspath(local_path)
        if not os.path.isfile(path):
            raise OrreryError(f"orrery: add_file: {path} {'is not a file' if os.path.exists(path) else 'does not exist'}", "local_path")
        target = os.path.basename(path) if name is None else name
        _check_path(target, "add_file", "name")
        digest, size, mtime = hash_file(path)
        entry = ArtifactManifestEntry(target, digest, size, None, os.path.abspath(path), mtime, self)
        self._add_entries([entry], overwrite, "add_file")
        return entry

    def add_dir(self, local_path: Any, name: Optional[str] = None, skip_cache: Any = None, policy: Any = None,
                merge: bool = False) -> None:
        """Adds every file under a folder, at its path relative to the folder (below `name` when
        given). Symlinks inside the folder are followed; one that leads out of it is refused."""
        self._check_draft("add_dir")
        root = os.fspath(local_path)
        if not os.path.isdir(root):
            raise OrreryError(f"orrery: add_dir: {root} {'is not a folder' if os.path.exists(root) else 'does not exist'}", "local_path")
        prefix = _folder_prefix(name, "add_dir")
        entries = []
        for rel, full in walk_folder(root, "add_dir"):
            target = f"{prefix}/{rel}" if prefix else rel
            why = check_artifact_path(target)
            if why:
                raise OrreryError(f"orrery: add_dir: {full} would be stored as '{printable(target)}', which {why}", "local_path")
            digest, size, mtime = hash_file(full)
            entries.append(ArtifactManifestEntry(target, digest, size, None, os.path.abspath(full), mtime, self))
        self._add_entries(entries, merge, "add_dir")

    def add_reference(self, uri: str, name: Optional[str] = None, checksum: bool = True,
                      max_objects: Optional[int] = None, *, digest: Optional[str] = None,
                      size: Optional[int] = None) -> List[ArtifactManifestEntry]:
        """Records an external file without copying it: file:// (SHA-256 and size; a folder adds one
        entry per file), https:// and http:// (ETag and Content-Length from a HEAD request), s3://
        (the `digest` and `size` you give, else the URI itself and an unknown size)."""
        self._check_draft("add_reference")
        from ._artifact_io import reference_entries

        if not isinstance(uri, str):
            raise OrreryError(f"orrery: add_reference: uri must be text like file:///data/train.csv, got {describe(uri)}", "uri")
        if len(uri) > MAX_REF_CHARS or _CONTROL_OR_NUL.search(uri):
            raise OrreryError(f"orrery: add_reference: '{printable(uri)[:80]}' is longer than {MAX_REF_CHARS} characters or holds a control character", "uri")
        m = _SCHEME.match(uri)
        if not m or m.group(1) not in REFERENCE_SCHEMES:
            schemes = ", ".join(f"{s}://" for s in REFERENCE_SCHEMES)
            raise OrreryError(f"orrery: add_reference: '{printable(uri)[:80]}' must start with {schemes}", "uri")
        if max_objects is not None and (isinstance(max_objects, bool) or not isinstance(max_objects, int) or max_objects < 1):
            raise OrreryError(f"orrery: add_reference: max_objects must be a whole number >= 1, got {describe(max_objects)}", "max_objects")
        if name is not None:
            _check_path(name, "add_reference", "name")
        entries = reference_entries(uri, m.group(1), name, checksum, max_objects, digest, size)
        for e in entries:
            e._artifact = self
        self._add_entries(entries, False, "add_reference")
        return entries

    @contextlib.contextmanager
    def new_file(self, name: str, mode: str = "w", encoding: Optional[str] = None) -> Iterator[Any]:
        """A file to write that becomes `name` in the artifact when the block ends:

            with art.new_file("labels.txt") as f:
                f.write("cat\\ndog\\n")
        """
        self._check_draft("new_file")
        _check_path(name, "new_file", "name")
        if name in self._entries or name in self._folders:
            raise OrreryError(f"orrery: new_file: '{name}' is already in artifact {self.name}", "name")
        if not isinstance(mode, str) or not mode or mode[0] not in "wx" or "+" in mode:
            raise OrreryError(f"orrery: new_file: mode must be 'w', 'x', 'wb' or 'xb', got {describe(mode)}", "mode")
        if self._tmp_dir is None:
            self._tmp_dir = tempfile.mkdtemp(prefix="orrery-artifact-")
            # Removed once uploaded, or when the artifact is garbage (never at exit: an upload may still read it).
            self._tmp_finalizer = weakref.finalize(self, shutil.rmtree, self._tmp_dir, True)
            self._tmp_finalizer.atexit = False
        local = os.path.join(self._tmp_dir, *name.split("/"))
        os.makedirs(os.path.dirname(local), exist_ok=True)
        with open(local, mode) if "b" in mode else open(local, mode, encoding=encoding or "utf-8") as f:
            yield f
        self.add_file(local, name=name)

    def remove(self, item: Any) -> None:
        """Removes a file (by path or entry), or every file under a folder path."""
        self._check_draft("remove")
        path = item.path if isinstance(item, ArtifactManifestEntry) else os.fspath(item)
        path = path.rstrip("/")
        gone = [p for p in self._entries if p == path or p.startswith(path + "/")]
        if not gone:
            raise OrreryError(f"orrery: remove: artifact {self.name} has no file or folder '{path}'", "item")
        for p in gone:
            del self._entries[p]
        self._folders = {}
        for p in self._entries:
            _note_folders(self._folders, p)

    # -- reading -----------------------------------------------------------------------------------

    @property
    def manifest(self) -> ArtifactManifest:
        self._load_manifest()
        return ArtifactManifest(self._entries)

    @property
    def digest(self) -> str:
        """The manifest's digest: SHA-256 of its canonical text (the server's version digest)."""
        if self._server_digest is not None:
            return self._server_digest
        return manifest_digest([e.to_json() for e in self._entries.values()])

    @property
    def size(self) -> int:
        if self._server_size is not None:
            return self._server_size
        return sum(e.size for e in self._entries.values() if e.size is not None)

    @property
    def file_count(self) -> int:
        return self._server_count if self._server_count is not None else len(self._entries)

    @property
    def qualified_name(self) -> str:
        """entity/project/name:vN once logged (name alone before)."""
        if self.version is None or self.entity is None:
            return self.name
        return f"{self.entity}/{self.project}/{self.name}:{self.version}"

    @property
    def source_name(self) -> str:
        return f"{self.name}:{self.version}" if self.version else self.name

    @property
    def state(self) -> str:
        """PENDING while uploading, COMMITTED once a version, FAILED, or DRAFT (W&B's states)."""
        return {_DRAFT: "DRAFT", _LOGGING: "PENDING", _LOGGED: "COMMITTED", _REMOTE: "COMMITTED", _FAILED: "FAILED"}[self._state]

    def is_draft(self) -> bool:
        return self.version is None

    def files(self, names: Optional[Sequence[str]] = None, per_page: int = 50) -> List[ArtifactManifestEntry]:
        """The artifact's files in path order (only those named, when `names` is given)."""
        self._load_manifest()
        entries = sorted(self._entries.values(), key=lambda e: e.path)
        if names is None:
            return entries
        wanted = set(names)
        return [e for e in entries if e.path in wanted]

    def get_entry(self, name: str) -> ArtifactManifestEntry:
        self._load_manifest()
        entry = self._entries.get(name)
        if entry is None:
            raise OrreryError(f"orrery: artifact {self.source_name} has no file '{name}'", "name")
        return entry

    get_path = get_entry

    # -- logging state -----------------------------------------------------------------------------

    def wait(self, timeout: Optional[float] = None) -> "Artifact":
        """Blocks until run.log_artifact's upload has ended; raises OrreryError if it failed."""
        if self._state == _DRAFT:
            raise OrreryError(f"orrery: artifact {self.name} was not logged: call run.log_artifact(artifact) first")
        if not self._done.wait(timeout):
            done, total = self._progress
            raise OrreryError(f"orrery: artifact {self.name} is still uploading after {timeout:g} s ({done} of {total} bytes)")
        if self._error is not None:
            raise self._error
        return self

    def _check_draft(self, call: str) -> None:
        if self._state != _DRAFT:
            what = "was logged" if self._state != _REMOTE else "is a stored version"
            raise OrreryError(f"orrery: {call}: artifact {self.source_name} {what} and can no longer change: make a new orrery.Artifact")

    def _add_entries(self, new: List[ArtifactManifestEntry], overwrite: bool, call: str) -> None:
        """Adds all or nothing: duplicates and file-and-folder clashes are refused before any change."""
        entries = dict(self._entries)
        folders = dict(self._folders)
        for e in new:
            p = e.path
            if p in folders:
                raise OrreryError(f"orrery: {call}: '{p}' is already a folder in artifact {self.name} (it holds '{folders[p]}'): a path cannot be a file and a folder", "name")
            cut = p.find("/")
            while cut != -1:
                if p[:cut] in entries:
                    raise OrreryError(f"orrery: {call}: '{p[:cut]}' is a file in artifact {self.name} and cannot also be the folder of '{p}'", "name")
                cut = p.find("/", cut + 1)
            old = entries.get(p)
            if old is not None and not overwrite and (old.digest, old.size, old.ref) != (e.digest, e.size, e.ref):
                raise OrreryError(f"orrery: {call}: '{p}' is already in artifact {self.name} with other content: each path names one file; choose another name, or pass overwrite=True (merge=True for add_dir)", "name")
            entries[p] = e
            _note_folders(folders, p)
        if len(entries) > MAX_MANIFEST_ENTRIES:
            raise OrreryError(f"orrery: {call}: artifact {self.name} would hold {len(entries)} files; the limit is {MAX_MANIFEST_ENTRIES}: split it, or pack small files into an archive")
        self._entries = entries
        self._folders = folders

    def _set_version(self, v: Dict[str, Any], remote: Any) -> None:
        """Takes the server's ArtifactVersion as this artifact's identity."""
        self.version = v.get("version")
        self.index = v.get("index")
        self.type = v.get("type", self.type)
        self.description = v.get("description") or None
        if isinstance(v.get("metadata"), dict):
            self.metadata = v["metadata"]
        self._server_aliases = list(v.get("aliases") or [])
        self.aliases = list(self._server_aliases)
        self._server_digest = v.get("digest")
        self._server_size = v.get("size")
        self._server_count = v.get("fileCount")
        self.created_at = v.get("createdAt")
        self.created_by = v.get("createdBy")
        self._remote = remote
        self.entity, self.project = remote.entity, remote.project

    @classmethod
    def _from_version(cls, v: Dict[str, Any], remote: Any) -> "Artifact":
        art = cls(v["name"], v["type"])
        art._set_version(v, remote)
        art._manifest_loaded = False
        art._state = _REMOTE
        art._done.set()
        return art

    def _load_manifest(self) -> None:
        if self._manifest_loaded:
            return
        from ._artifact_io import fetch_manifest

        entries = {}
        for e in fetch_manifest(self._remote, self.name, self.version):
            entries[e["path"]] = ArtifactManifestEntry(e["path"], e["digest"], e.get("size"), e.get("ref"), artifact=self)
        self._entries = entries
        self._folders = {}
        for p in entries:
            _note_folders(self._folders, p)
        self._manifest_loaded = True

    # -- server-side actions -----------------------------------------------------------------------

    def download(self, root: Optional[str] = None, allow_missing_references: bool = False, skip_cache: Any = None,
                 path_prefix: Optional[str] = None, multipart: Any = None) -> str:
        """Fetches the files into `root` (default ./artifacts/<name>-v<N>) through the local cache
        ($ORRERY_CACHE_DIR, default ~/.cache/orrery, shared with the TypeScript SDK): a file whose
        digest is cached is not requested again. Every byte is checked against its SHA-256; on any
        failure nothing is written to `root`. Returns the folder."""
        remote = self._require_stored("download")
        self._load_manifest()
        entries = [e for e in self._entries.values() if path_prefix is None or e.path.startswith(path_prefix)]
        from ._artifact_download import download_entries

        folder = root if root is not None else self._default_root()
        download_entries(remote, self.source_name, entries, folder, allow_missing_references)
        return folder

    def file(self, root: Optional[str] = None) -> str:
        """Downloads an artifact of exactly one file and returns that file's path."""
        self._require_stored("file")
        self._load_manifest()
        if len(self._entries) != 1:
            raise OrreryError(f"orrery: file(): artifact {self.source_name} holds {len(self._entries)} files, not one: use download()")
        entry = next(iter(self._entries.values()))
        return self._download_entries([entry], root)[entry.path]

    def verify(self, root: Optional[str] = None) -> None:
        """Checks that `root` holds exactly this artifact's stored files with their SHA-256;
        raises OrreryError naming the first difference."""
        self._require_stored("verify")
        self._load_manifest()
        folder = root if root is not None else self._default_root()
        wanted = {e.path: e for e in self._entries.values() if e.ref is None}
        for rel, full in walk_folder(folder, "verify"):
            e = wanted.pop(rel, None)
            if e is None:
                raise OrreryError(f"orrery: verify: {full} is not a file of artifact {self.source_name}")
            if hash_file(full)[0] != e.digest:
                raise OrreryError(f"orrery: verify: {full} differs from '{rel}' of artifact {self.source_name}")
        if wanted:
            raise OrreryError(f"orrery: verify: {os.path.join(folder, next(iter(wanted)))} is missing")

    def save(self) -> "Artifact":
        """Stores changes to description, metadata and aliases of a logged version (alias moves are
        recorded in its history). `latest` is the server's and cannot be added or removed."""
        remote = self._require_stored("save")
        from ._artifact_io import patch_version

        add = [a for a in _aliases(self.aliases, "save") if a not in self._server_aliases]
        remove = [a for a in self._server_aliases if a != LATEST_ALIAS and a not in self.aliases]
        patch: Dict[str, Any] = {"description": self.description or "", "metadata": _metadata(self.metadata)}
        if add or remove:
            patch["aliases"] = {"add": add, "remove": remove}
        self._set_version(patch_version(remote, self.name, self.version, patch), remote)
        return self

    def _download_entries(self, entries: List[ArtifactManifestEntry], root: Optional[str]) -> Dict[str, str]:
        remote = self._require_stored("download")
        from ._artifact_download import download_entries

        folder = root if root is not None else self._default_root()
        return download_entries(remote, self.source_name, entries, folder, False)

    def _require_stored(self, call: str) -> Any:
        if self._state in (_LOGGING, _FAILED):
            self.wait()
        if self._remote is None or self.version is None:
            raise OrreryError(f"orrery: {call}(): artifact {self.name} is not stored on a server yet: log it with run.log_artifact and wait(), or get one with run.use_artifact")
        return self._remote

    def _default_root(self) -> str:
        return os.path.join("artifacts", f"{self.name}-v{self.index}")

    def _cleanup_tmp(self) -> None:
        if self._tmp_dir is not None:
            self._tmp_finalizer()
            self._tmp_dir = None

    def __repr__(self) -> str:
        return f"<orrery.Artifact {self.source_name} ({self.type}, {self.file_count} files, {self.state})>"


# -- helpers -----------------------------------------------------------------------------------------

def _check_path(path: Any, call: str, field: str) -> None:
    why = check_artifact_path(path)
    if why:
        shown = printable(path) if isinstance(path, str) else path
        raise OrreryError(f"orrery: {call}: artifact path '{shown}' {why}", field)


def _folder_prefix(name: Optional[str], call: str) -> str:
    if name is None or name in ("", "/"):
        return ""
    prefix = name[:-1] if name.endswith("/") else name
    _check_path(prefix, call, "name")
    return prefix


def _note_folders(folders: Dict[str, str], path: str) -> None:
    cut = path.find("/")
    while cut != -1:
        folders.setdefault(path[:cut], path)
        cut = path.find("/", cut + 1)


def _metadata(metadata: Any) -> Dict[str, Any]:
    if metadata is None:
        return {}
    converted = to_json(as_mapping(metadata, "metadata"), "metadata")
    return converted if isinstance(converted, dict) else {}


def _aliases(aliases: Any, call: str) -> List[str]:
    """User aliases, checked and deduplicated; `latest` is dropped (the server moves it)."""
    if aliases is None:
        return []
    if isinstance(aliases, str):
        aliases = [aliases]
    out: List[str] = []
    for a in aliases:
        if a == LATEST_ALIAS:
            continue
        if not isinstance(a, str) or not ALIAS_RE.fullmatch(a):
            raise OrreryError(f"orrery: {call}: alias {describe(a)} must be 1 to 64 letters, digits, '_', '.' or '-', and not v<digits> (that names a version)", "aliases")
        if a not in out:
            out.append(a)
    return out


def walk_folder(root: str, call: str) -> List[Tuple[str, str]]:
    """(path relative to root with '/' separators, local path) of every file under root, sorted.
    Symlinks whose real path is inside root are followed; one leading out, a broken one, or a
    folder link that loops back to its own ancestor is refused with an error naming it."""
    real_root = os.path.realpath(root)
    out: List[Tuple[str, str]] = []

    def visit(folder: str, rel: str, ancestors: Tuple[str, ...]) -> None:
        try:
            with os.scandir(folder) as it:
                items = sorted(it, key=lambda d: d.name)
        except OSError as err:
            raise OrreryError(f"orrery: {call}: cannot read folder {folder} ({err.strerror or err})") from err
        for d in items:
            full = d.path
            sub = f"{rel}/{d.name}" if rel else d.name
            if d.is_symlink():
                target = os.path.realpath(full)
                if not is_inside(target, real_root):
                    raise OrreryError(f"orrery: {call}: {full} is a symlink to {target}, outside {root}: links leading out of the folder are refused; copy the file in, or add it with add_file", "local_path")
                if not os.path.exists(target):
                    raise OrreryError(f"orrery: {call}: {full} is a broken symlink (to {os.readlink(full)})", "local_path")
                if os.path.isdir(target):
                    if target in ancestors:
                        raise OrreryError(f"orrery: {call}: {full} is a symlink to its own parent folder {target}: it would repeat forever", "local_path")
                    visit(full, sub, ancestors + (target,))
                elif os.path.isfile(target):
                    out.append((sub, full))
            elif d.is_dir(follow_symlinks=False):
                visit(full, sub, ancestors + (os.path.realpath(full),))
            elif d.is_file(follow_symlinks=False):
                out.append((sub, full))
            # Sockets, FIFOs and devices are not files to store: skipped.

    visit(root, "", (real_root,))
    return out


def file_uri_path(uri: str) -> str:
    """The local path of a file:// URI (file:///a/b, file://localhost/a/b)."""
    parts = urlsplit(uri)
    if parts.netloc not in ("", "localhost"):
        raise OrreryError(f"orrery: '{uri}' names host {parts.netloc}: a file:// reference must be a local path (file:///data/x)", "uri")
    path = unquote(parts.path)
    if os.name == "nt" and re.match(r"/[A-Za-z]:", path):
        path = path[1:]
    return path


def file_uri(base_uri: str, rel: str) -> str:
    return base_uri.rstrip("/") + "/" + quote(rel)
