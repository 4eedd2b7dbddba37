# Artifacts in the Python client: the path and manifest rules (which must equal the protocol's
# checkArtifactPath / checkManifest / manifestCanonicalText), building artifacts from files,
# folders and references, and logging / using / downloading against FakeArtifactServer, a small
# in-process server that speaks the artifact routes of the HTTP API (resumable uploads, Range
# downloads) and can be told to drop connections or serve corrupt bytes.
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import threading
import unittest
from contextlib import redirect_stderr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import parse_qs, unquote, urlsplit

import orrery
from orrery import _artifact_io
from orrery._artifact_download import cache_path
from orrery._artifact_io import Remote, log_now, use_now
from orrery._artifacts import (
    Artifact, check_artifact_path, check_manifest, manifest_canonical_text, manifest_digest,
)
from orrery._values import OrreryError

from helpers import TempDir, decode_frames, run_script

# Computed by the protocol's manifestCanonicalText + SHA-256 (Node.js) for VECTOR_ENTRIES.
VECTOR_DIGEST = "d08dc3988ee43a69bab7a3b573f905e27f09e1bfb095a998daec99959fbc534e"
VECTOR_ENTRIES = [
    {"path": "zeta.txt", "digest": "a" * 64, "size": 12},
    {"path": "data/ünïcødé.csv", "digest": "b" * 64, "size": 0},
    {"path": "data/emoji-😀.bin", "digest": "c" * 64, "size": 1099511627776},
    {"path": "data/\uff5e.txt", "digest": "d" * 64, "size": 3},
    {"path": "s/\U0001F600", "digest": "f" * 64, "size": 1},
    {"path": "s/\uff5e", "digest": "f" * 64, "size": 2},
    {"path": "Data/x", "digest": "e" * 64, "size": 7},
    {"path": "ref/s3", "digest": "s3://bucket/key", "size": None, "ref": "s3://bucket/key"},
    {"path": "ref/web", "digest": 'etag:"abc"', "size": 10, "ref": "https://example.com/x"},
]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(path: str, data: bytes) -> str:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def spec_digest(entries) -> str:
    """The manifest digest as docs state it, written independently of orrery._artifacts."""
    text = "orrery-manifest-v1\n"
    for e in sorted(entries, key=lambda e: e["path"]):
        text += f"{e['path']}\n{e['digest']}\n{'' if e['size'] is None else e['size']}\n{e.get('ref', '')}\n"
    return sha(text.encode("utf-8"))


class FakeArtifactServer:
    """The artifact routes of the server, in memory. `drop_put_after`: the next PUT keeps only its
    first N bytes and the connection is cut; `corrupt`: digests served with a flipped byte."""

    def __init__(self):
        self.blobs = {}  # digest -> bytes
        self.partial = {}  # digest -> bytearray
        self.versions = {}  # (name) -> list of version dicts (with "manifest")
        self.drafts = {}  # draftId -> (name, dict)
        self.uses = []
        self.requests = []  # (method, path, headers)
        self.put_sizes = []
        self.drop_put_after = None
        self.corrupt = set()
        self.records = set()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, body=None, raw=None, headers=None):
                data = raw if raw is not None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream" if raw is not None else "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def handle_any(self, method):
                url = urlsplit(self.path)
                with fake.lock:
                    fake.requests.append((method, url.path, {k.lower(): v for k, v in self.headers.items()}))
                try:
                    fake.route(self, method, url.path, parse_qs(url.query))
                except ConnectionError:
                    pass

            def do_GET(self):
                self.handle_any("GET")

            def do_POST(self):
                self.handle_any("POST")

            def do_PUT(self):
                self.handle_any("PUT")

            def do_PATCH(self):
                self.handle_any("PATCH")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def blob_requests(self):
        return [r for r in self.requests if r[0] == "GET" and re.fullmatch(r"/api/v1/blobs/[0-9a-f]{64}", r[1])]

    def status(self, d):
        if d in self.blobs:
            return {"digest": d, "received": len(self.blobs[d]), "size": len(self.blobs[d]), "complete": True}
        part = self.partial.get(d)
        return {"digest": d, "received": len(part[0]) if part else 0, "size": part[1] if part else None, "complete": False}

    def route(self, h, method, path, query):
        m = re.fullmatch(r"/api/v1/blobs/([0-9a-f]{64})(/upload)?", path)
        if m:
            return self.blob_route(h, method, m.group(1), bool(m.group(2)), query)
        if path.endswith("/records") and method == "POST":
            accepted = 0
            for _, rec in decode_frames(h.body()):
                accepted += 1
            return h.reply(200, {"accepted": accepted, "duplicates": 0, "rejected": [], "lastSeq": 0})
        if path.endswith("/heartbeat"):
            h.body()
            return h.reply(200, {})
        m = re.fullmatch(r"/api/v1/projects/([^/]+)/([^/]+)/artifacts(?:/([^/]+)(.*))?", path)
        if not m:
            return h.reply(404, {"error": "not_found", "message": f"no route {path}"})
        name, rest = (unquote(m.group(3)) if m.group(3) else None), m.group(4) or ""
        if name is None and method == "POST":
            return self.create(h, json.loads(h.body()))
        dm = re.fullmatch(r"/drafts/([^/]+)/commit", rest)
        if dm and method == "POST":
            h.body()
            return self.commit(h, dm.group(1))
        vm = re.fullmatch(r"/versions/([^/]+)(/manifest|/use)?", rest)
        if vm:
            v = self.find(name, unquote(vm.group(1)))
            if v is None:
                h.body()
                return h.reply(404, {"error": "not_found", "message": f"artifact {name} has no version {vm.group(1)}", "field": "ref"})
            if vm.group(2) == "/use":
                self.uses.append((name, v["version"], json.loads(h.body())["runId"]))
                return h.reply(200, self.public(v))
            if vm.group(2) == "/manifest":
                entries = sorted(v["manifest"], key=lambda e: e["path"])
                limit = int(query.get("limit", ["1000"])[0])
                after = query.get("cursor", [None])[0]
                rest_entries = [e for e in entries if after is None or e["path"] > after]
                page = rest_entries[:limit]
                nxt = page[-1]["path"] if len(rest_entries) > limit else None
                return h.reply(200, {"entries": page, "total": len(entries), "nextCursor": nxt})
            if method == "PATCH":
                patch = json.loads(h.body())
                for a in patch.get("aliases", {}).get("add", []):
                    for other in self.versions[name]:
                        if a in other["aliases"]:
                            other["aliases"].remove(a)
                    v["aliases"] = sorted(set(v["aliases"]) | {a})
                for a in patch.get("aliases", {}).get("remove", []):
                    if a in v["aliases"]:
                        v["aliases"].remove(a)
                if "description" in patch:
                    v["description"] = patch["description"]
                return h.reply(200, self.public(v))
            return h.reply(200, self.public(v))
        return h.reply(404, {"error": "not_found", "message": f"no route {path}"})

    def find(self, name, ref):
        for v in self.versions.get(name, []):
            if v["version"] == ref or ref in v["aliases"]:
                return v
        return None

    @staticmethod
    def public(v):
        return {k: val for k, val in v.items() if k != "manifest"}

    def create(self, h, body):
        problem = check_manifest(body["manifest"])
        if problem:
            return h.reply(400, {"error": "invalid_request", "message": problem[2], "field": f"manifest[{problem[0]}].{problem[1]}"})
        digest = spec_digest(body["manifest"])
        for v in self.versions.get(body["name"], []):
            if v["digest"] == digest:
                return h.reply(201, {"state": "committed", "draftId": None, "digest": digest, "missing": [], "version": self.public(v)})
        missing = sorted({e["digest"] for e in body["manifest"] if "ref" not in e and e["digest"] not in self.blobs})
        draft_id = f"d{len(self.drafts) + 1}"
        self.drafts[draft_id] = (body["name"], dict(body, digest=digest))
        return h.reply(201, {"state": "pending", "draftId": draft_id, "digest": digest, "missing": missing, "version": None})

    def commit(self, h, draft_id):
        name, body = self.drafts[draft_id]
        missing = [e["digest"] for e in body["manifest"] if "ref" not in e and e["digest"] not in self.blobs]
        if missing:
            return h.reply(409, {"error": "conflict", "message": f"{len(missing)} blobs missing, first {missing[0]}", "field": "manifest"})
        versions = self.versions.setdefault(name, [])
        for other in versions:
            other["aliases"] = [a for a in other["aliases"] if a != "latest" and a not in body.get("aliases", [])]
        v = {
            "name": name, "type": body["type"], "version": f"v{len(versions)}", "index": len(versions), "digest": body["digest"],
            "description": body.get("description", ""), "metadata": body.get("metadata", {}),
            "aliases": sorted(["latest", *body.get("aliases", [])]), "size": sum(e["size"] or 0 for e in body["manifest"]),
            "fileCount": len(body["manifest"]), "createdAt": "2024-01-01T00:00:00.000Z", "createdBy": body.get("runId"),
            "manifest": body["manifest"],
        }
        versions.append(v)
        return h.reply(200, self.public(v))

    def blob_route(self, h, method, d, upload, query):
        if upload and method == "GET":
            return h.reply(200, self.status(d))
        if upload and method == "PUT":
            offset, size = int(query["offset"][0]), int(query["size"][0])
            length = int(h.headers.get("Content-Length") or 0)
            if d in self.blobs:
                h.rfile.read(length)
                return h.reply(200, self.status(d))
            part = self.partial.setdefault(d, (bytearray(), size))
            if offset != len(part[0]):
                h.rfile.read(length)
                return h.reply(409, {"error": "conflict", "message": f"resume from offset {len(part[0])}", "field": "offset"})
            self.put_sizes.append((offset, length))
            drop, self.drop_put_after = self.drop_put_after, None
            if drop is not None:
                part[0].extend(h.rfile.read(min(drop, length)))
                h.close_connection = True
                h.connection.shutdown(2)
                return None
            part[0].extend(h.rfile.read(length))
            if len(part[0]) == size:
                data = bytes(part[0])
                del self.partial[d]
                if sha(data) != d:
                    return h.reply(400, {"error": "digest_mismatch", "message": "bytes differ", "field": "digest"})
                self.blobs[d] = data
            return h.reply(200, self.status(d))
        if method == "GET":
            data = self.blobs.get(d)
            if data is None:
                return h.reply(404, {"error": "not_found", "message": "no blob"})
            if d in self.corrupt:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            rng = h.headers.get("Range")
            if rng:
                start = int(re.fullmatch(r"bytes=(\d+)-", rng).group(1))
                return h.reply(206, raw=data[start:], headers={"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"})
            return h.reply(200, raw=data)
        return h.reply(404, {"error": "not_found", "message": "no route"})


class PathRules(unittest.TestCase):
    def test_paths_that_would_escape_or_confuse_are_refused_with_the_protocols_messages(self):
        cases = {
            "": "is empty",
            "../x": "contains '..': it would escape the artifact",
            "a/../../b": "contains '..': it would escape the artifact",
            "..": "contains '..': it would escape the artifact",
            "/etc/passwd": "is absolute: give a path relative to the artifact root",
            "C:/x": "starts with a drive letter: give a path relative to the artifact root",
            "c:x": "starts with a drive letter: give a path relative to the artifact root",
            "a\0b": "contains a NUL character",
            "a\nb": "contains a control character",
            "a\x01b": "contains a control character",
            "a\x1fb": "contains a control character",
            "a\x7fb": "contains a control character",
            "a\\b": "contains '\\': separate folders with '/'",
            "./a": "contains a '.' segment: write the path without it",
            "a/./b": "contains a '.' segment: write the path without it",
            ".": "contains a '.' segment: write the path without it",
            "a//b": "has an empty segment ('//' or a trailing '/')",
            "a/": "has an empty segment ('//' or a trailing '/')",
            "a" * 1025: "is longer than 1024 characters",
            # JavaScript counts UTF-16 units: an emoji is two.
            "a" * 1023 + "\U0001F600": "is longer than 1024 characters",
        }
        for path, why in cases.items():
            with self.subTest(path=path[:20]):
                self.assertEqual(check_artifact_path(path), why)

    def test_ordinary_paths_pass(self):
        for path in ("a", "a/b.c", "..a", "a..b", ".hidden/x", "ünï/çødé 1.txt", "\U0001F600", "a" * 1024, "x\x80y"):
            with self.subTest(path=path[:20]):
                self.assertIsNone(check_artifact_path(path))

    def test_a_file_name_that_is_not_utf8_on_disk_is_refused(self):
        self.assertIn("not valid UTF-8", check_artifact_path("bad\udcff.txt"))

    def test_check_manifest_names_the_entry_and_field(self):
        ok = {"path": "a", "digest": "a" * 64, "size": 1}
        self.assertIsNone(check_manifest([ok, {"path": "b", "digest": "x", "size": None, "ref": "s3://b/k"}]))
        self.assertEqual(check_manifest([ok, dict(ok)]), (1, "path", "path 'a' appears twice: each path names one file"))
        self.assertEqual(check_manifest([ok, dict(ok, path="a/b")]), (0, "path", "'a' is a file and also the folder of 'a/b'"))
        self.assertEqual(check_manifest([dict(ok, path="x/../y")])[:2], (0, "path"))
        self.assertEqual(check_manifest([ok, dict(ok, path="c", digest="A" * 64)])[:2], (1, "digest"))
        self.assertEqual(check_manifest([dict(ok, size=None)]), (0, "size", "a stored file needs its size in bytes"))
        self.assertEqual(check_manifest([dict(ok, ref="ftp://x")])[:2], (0, "ref"))
        self.assertEqual(check_manifest([dict(ok, path="a\x01")]), (0, "path", "path 'a\\u0001' contains a control character"))

    def test_manifest_digest_equals_the_protocols_for_unicode_astral_and_reference_entries(self):
        self.assertEqual(manifest_digest(VECTOR_ENTRIES), VECTOR_DIGEST)
        self.assertEqual(manifest_digest(list(reversed(VECTOR_ENTRIES))), VECTOR_DIGEST)
        text = manifest_canonical_text(VECTOR_ENTRIES)
        # Code point order: U+FF5E sorts before U+1F600 (UTF-16 order would put the emoji first).
        self.assertLess(text.index("s/\uff5e"), text.index("s/\U0001F600"))


class Building(unittest.TestCase):
    def test_add_file_hashes_the_file_and_the_digest_is_the_manifests(self):
        with TempDir() as d:
            f = write(os.path.join(d, "model.pt"), b"weights" * 1000)
            art = Artifact("model", "model", metadata={"acc": 0.9})
            entry = art.add_file(f)
            self.assertEqual((entry.path, entry.digest, entry.size), ("model.pt", sha(b"weights" * 1000), 7000))
            art.add_file(f, name="copies/model.pt")
            self.assertEqual(art.digest, spec_digest([e.to_json() for e in art.manifest.entries.values()]))
            self.assertEqual([e.path for e in art.files()], ["copies/model.pt", "model.pt"])
            self.assertIsNone(art.version)

    def test_bad_names_and_types_are_refused(self):
        with self.assertRaises(OrreryError):
            Artifact("has space", "model")
        with self.assertRaises(OrreryError):
            Artifact("ok", "")
        with TempDir() as d:
            f = write(os.path.join(d, "x"), b"x")
            art = Artifact("a", "dataset")
            for bad in ("../x", "/abs", "a\0b", "a\x02b", "a\\b", "./x", "a//b", "a/"):
                with self.subTest(name=bad), self.assertRaises(OrreryError) as ctx:
                    art.add_file(f, name=bad)
                self.assertIn("artifact path", str(ctx.exception))
            self.assertEqual(len(art.manifest), 0)

    def test_the_same_path_twice_is_refused_unless_the_content_is_the_same_or_overwrite_is_given(self):
        with TempDir() as d:
            a = write(os.path.join(d, "a"), b"one")
            b = write(os.path.join(d, "b"), b"two")
            art = Artifact("x", "dataset")
            art.add_file(a, name="f")
            art.add_file(a, name="f")  # same content: nothing changes
            with self.assertRaises(OrreryError) as ctx:
                art.add_file(b, name="f")
            self.assertIn("already in artifact", str(ctx.exception))
            art.add_file(b, name="f", overwrite=True)
            self.assertEqual(art.get_entry("f").digest, sha(b"two"))

    def test_a_path_cannot_be_both_a_file_and_a_folder(self):
        with TempDir() as d:
            a = write(os.path.join(d, "a"), b"one")
            art = Artifact("x", "dataset")
            art.add_file(a, name="p")
            with self.assertRaises(OrreryError):
                art.add_file(a, name="p/q")
            art2 = Artifact("y", "dataset")
            art2.add_file(a, name="p/q")
            with self.assertRaises(OrreryError) as ctx:
                art2.add_file(a, name="p")
            self.assertIn("folder", str(ctx.exception))

    def test_add_dir_stores_relative_posix_paths_below_the_prefix(self):
        with TempDir() as d:
            write(os.path.join(d, "data", "train", "0.csv"), b"a")
            write(os.path.join(d, "data", "test.csv"), b"b")
            art = Artifact("ds", "dataset")
            art.add_dir(os.path.join(d, "data"), name="split")
            self.assertEqual([e.path for e in art.files()], ["split/test.csv", "split/train/0.csv"])

    def test_a_symlink_leading_out_of_add_dir_is_refused_naming_it_and_nothing_is_added(self):
        with TempDir() as d:
            secret = write(os.path.join(d, "secret.txt"), b"password")
            write(os.path.join(d, "data", "a.txt"), b"a")
            link = os.path.join(d, "data", "leak.txt")
            os.symlink(secret, link)
            art = Artifact("ds", "dataset")
            with self.assertRaises(OrreryError) as ctx:
                art.add_dir(os.path.join(d, "data"))
            self.assertIn(link, str(ctx.exception))
            self.assertIn("outside", str(ctx.exception))
            self.assertEqual(len(art.manifest), 0)
            os.unlink(link)
            os.symlink(d, os.path.join(d, "data", "up"))  # a folder link out
            with self.assertRaises(OrreryError) as ctx:
                art.add_dir(os.path.join(d, "data"))
            self.assertIn(os.path.join(d, "data", "up"), str(ctx.exception))

    def test_symlinks_inside_add_dir_are_followed_and_loops_refused(self):
        with TempDir() as d:
            write(os.path.join(d, "data", "real", "x.txt"), b"x")
            os.symlink(os.path.join(d, "data", "real", "x.txt"), os.path.join(d, "data", "alias.txt"))
            os.symlink(os.path.join(d, "data", "real"), os.path.join(d, "data", "mirror"))
            art = Artifact("ds", "dataset")
            art.add_dir(os.path.join(d, "data"))
            self.assertEqual([e.path for e in art.files()], ["alias.txt", "mirror/x.txt", "real/x.txt"])
            self.assertEqual({e.digest for e in art.files()}, {sha(b"x")})
            os.symlink(os.path.join(d, "data"), os.path.join(d, "data", "real", "loop"))
            with self.assertRaises(OrreryError) as ctx:
                Artifact("ds", "dataset").add_dir(os.path.join(d, "data"))
            self.assertIn("loop", str(ctx.exception))

    def test_a_file_reference_records_sha256_and_size_without_copying(self):
        with TempDir() as d, TempDir() as cache, mock.patch.dict(os.environ, {"ORRERY_CACHE_DIR": cache}):
            f = write(os.path.join(d, "big.bin"), b"z" * 5000)
            art = Artifact("refs", "dataset")
            uri = "file://" + f
            [entry] = art.add_reference(uri)
            self.assertEqual(entry.to_json(), {"path": "big.bin", "digest": sha(b"z" * 5000), "size": 5000, "ref": uri})
            self.assertIsNone(entry.local_path)
            self.assertEqual(os.listdir(cache), [])
            [unchecked] = art.add_reference(uri, name="again.bin", checksum=False)
            self.assertEqual((unchecked.digest, unchecked.size), (uri, 5000))

    def test_a_folder_reference_adds_one_entry_per_file_and_respects_max_objects(self):
        with TempDir() as d:
            write(os.path.join(d, "set", "a.txt"), b"a")
            write(os.path.join(d, "set", "sub dir", "b.txt"), b"bb")
            art = Artifact("refs", "dataset")
            entries = art.add_reference("file://" + os.path.join(d, "set"), name="raw")
            self.assertEqual([(e.path, e.size, e.ref) for e in entries], [
                ("raw/a.txt", 1, "file://" + os.path.join(d, "set", "a.txt")),
                ("raw/sub dir/b.txt", 2, "file://" + os.path.join(d, "set") + "/sub%20dir/b.txt"),
            ])
            with self.assertRaises(OrreryError):
                Artifact("r", "dataset").add_reference("file://" + os.path.join(d, "set"), max_objects=1)

    def test_s3_references_keep_the_given_digest_and_unknown_schemes_are_refused(self):
        art = Artifact("refs", "dataset")
        [e] = art.add_reference("s3://bucket/path/model.bin")
        self.assertEqual((e.path, e.digest, e.size), ("model.bin", "s3://bucket/path/model.bin", None))
        [e2] = art.add_reference("s3://bucket/other.bin", digest="etag:123", size=10)
        self.assertEqual((e2.digest, e2.size), ("etag:123", 10))
        with self.assertRaises(OrreryError):
            art.add_reference("ftp://host/x")
        self.assertIsNone(check_manifest(art.manifest.to_json()))

    def test_new_file_adds_what_was_written(self):
        art = Artifact("notes", "dataset")
        with art.new_file("docs/labels.txt") as f:
            f.write("cat\ndog\n")
        with art.new_file("raw.bin", mode="wb") as f:
            f.write(b"\x00\x01")
        self.assertEqual(art.get_entry("docs/labels.txt").digest, sha(b"cat\ndog\n"))
        self.assertEqual(art.get_entry("raw.bin").size, 2)
        art._cleanup_tmp()


class WithServer(unittest.TestCase):
    def setUp(self):
        self.server = FakeArtifactServer()
        self.addCleanup(self.server.close)
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        self.addCleanup(self.tmp.__exit__)
        self.cache = os.path.join(self.dir, "cache")
        patcher = mock.patch.dict(os.environ, {"ORRERY_CACHE_DIR": self.cache})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.remote = Remote(self.server.url, None, "team", "proj")

    def logged(self, files, name="ds", aliases=(), run_id="run1"):
        art = Artifact(name, "dataset")
        for rel, data in files.items():
            art.add_file(write(os.path.join(self.dir, "src", name, rel), data), name=rel)
        art._set_version(log_now(self.remote, art, list(art._entries.values()), list(aliases), run_id), self.remote)
        return art

    def test_logging_uploads_missing_blobs_and_the_server_digest_equals_the_clients(self):
        art = self.logged({"a.txt": b"alpha", "b/c.txt": b"gamma"}, aliases=["best"])
        self.assertEqual(art.version, "v0")
        self.assertEqual(art.aliases, ["best", "latest"])
        self.assertEqual(art.digest, manifest_digest(art.manifest.to_json()))
        self.assertEqual(set(self.server.blobs), {sha(b"alpha"), sha(b"gamma")})
        # The same content again: no new version, nothing uploaded.
        puts = len(self.server.put_sizes)
        again = self.logged({"a.txt": b"alpha", "b/c.txt": b"gamma"})
        self.assertEqual(again.version, "v0")
        self.assertEqual(len(self.server.put_sizes), puts)

    def test_an_interrupted_upload_resumes_from_what_the_server_received_in_bounded_parts(self):
        data = os.urandom(300_000)
        self.server.drop_put_after = 40_000
        with mock.patch.object(_artifact_io, "PART_BYTES", 64 * 1024), mock.patch.object(_artifact_io, "_backoff", lambda n: 0.01):
            art = self.logged({"big.bin": data})
        self.assertEqual(self.server.blobs[sha(data)], data)
        puts = self.server.put_sizes
        self.assertEqual(puts[0], (0, 64 * 1024))
        # After the cut the client resumes where the server stopped, in parts of at most 64 KiB here.
        self.assertEqual(puts[1][0], 40_000)
        self.assertTrue(all(n <= 64 * 1024 for _, n in puts))
        self.assertEqual(sum(n for _, n in puts[1:]), len(data) - 40_000)
        self.assertEqual(art.version, "v0")

    def test_a_file_that_changed_after_add_file_fails_the_upload_with_a_clear_error(self):
        path = write(os.path.join(self.dir, "ckpt.pt"), b"epoch 1")
        art = Artifact("ckpt", "model")
        art.add_file(path)
        write(path, b"epoch 2, longer")
        with self.assertRaises(OrreryError) as ctx:
            log_now(self.remote, art, list(art._entries.values()), [], None)
        self.assertIn("changed after it was added", str(ctx.exception))

    def test_use_records_the_run_and_download_goes_through_the_digest_keyed_cache(self):
        self.logged({"a.txt": b"alpha", "deep/b.txt": b"beta"}, aliases=["prod"])
        used = use_now(self.remote, "ds:prod", "dataset", None, "eval1")
        self.assertEqual(self.server.uses, [("ds", "v0", "eval1")])
        root = used.download(os.path.join(self.dir, "out1"))
        with open(os.path.join(root, "deep", "b.txt"), "rb") as f:
            self.assertEqual(f.read(), b"beta")
        cached = os.path.join(self.cache, "artifacts", "sha256", sha(b"beta")[:2], sha(b"beta")[2:])
        self.assertEqual(cache_path(sha(b"beta")), cached)
        with open(cached, "rb") as f:
            self.assertEqual(f.read(), b"beta")
        # A second download makes no blob request, even with the server's copy gone.
        before = len(self.server.blob_requests())
        self.server.blobs.clear()
        root2 = use_now(self.remote, "ds:v0", None, None, "eval2").download(os.path.join(self.dir, "out2"))
        self.assertEqual(len(self.server.blob_requests()), before)
        with open(os.path.join(root2, "a.txt"), "rb") as f:
            self.assertEqual(f.read(), b"alpha")

    def test_the_default_download_folder_is_artifacts_name_v_index(self):
        self.logged({"a.txt": b"alpha"})
        cwd = os.getcwd()
        os.chdir(self.dir)
        self.addCleanup(os.chdir, cwd)
        self.assertEqual(use_now(self.remote, "ds", None, None, None).download(), os.path.join("artifacts", "ds-v0"))
        self.assertTrue(os.path.isfile(os.path.join(self.dir, "artifacts", "ds-v0", "a.txt")))

    def test_a_corrupt_blob_is_detected_and_nothing_is_left_in_the_target_or_the_cache(self):
        self.logged({"a.txt": b"alpha", "b.txt": b"bravo"})
        self.server.corrupt.add(sha(b"bravo"))
        target = os.path.join(self.dir, "out")
        with self.assertRaises(OrreryError) as ctx:
            use_now(self.remote, "ds:latest", None, None, None).download(target)
        self.assertIn("corrupt", str(ctx.exception))
        self.assertIn(sha(b"bravo"), str(ctx.exception))
        self.assertFalse(os.path.exists(target))
        self.assertFalse(os.path.exists(cache_path(sha(b"bravo"))))
        self.assertEqual(os.listdir(os.path.join(self.cache, "artifacts", "tmp")), [])

    def test_an_interrupted_download_resumes_with_a_range_request(self):
        data = os.urandom(50_000)
        self.logged({"blob.bin": data})
        tmp = os.path.join(self.cache, "artifacts", "tmp")
        write(os.path.join(tmp, f"{sha(data)}.part"), data[:20_000])
        use_now(self.remote, "ds", None, None, None).download(os.path.join(self.dir, "out"))
        [req] = self.server.blob_requests()
        self.assertEqual(req[2].get("range"), "bytes=20000-")
        with open(cache_path(sha(data)), "rb") as f:
            self.assertEqual(f.read(), data)

    def test_download_refuses_to_write_through_a_symlink_leading_out_of_the_target(self):
        self.logged({"sub/a.txt": b"alpha"})
        outside = os.path.join(self.dir, "elsewhere")
        os.makedirs(outside)
        target = os.path.join(self.dir, "out")
        os.makedirs(target)
        os.symlink(outside, os.path.join(target, "sub"))
        with self.assertRaises(OrreryError) as ctx:
            use_now(self.remote, "ds", None, None, None).download(target)
        self.assertIn("symlink", str(ctx.exception))
        self.assertEqual(os.listdir(outside), [])

    def test_a_file_reference_is_copied_from_its_location_on_download(self):
        src = write(os.path.join(self.dir, "ext", "table.csv"), b"a,b\n1,2\n")
        art = Artifact("refs", "dataset")
        art.add_reference("file://" + src)
        art._set_version(log_now(self.remote, art, list(art._entries.values()), [], None), self.remote)
        self.assertEqual(self.server.blobs, {})  # nothing uploaded
        root = use_now(self.remote, "refs", None, None, None).download(os.path.join(self.dir, "out"))
        with open(os.path.join(root, "table.csv"), "rb") as f:
            self.assertEqual(f.read(), b"a,b\n1,2\n")
        s3 = Artifact("s3refs", "dataset")
        s3.add_reference("s3://bucket/key.bin")
        s3._set_version(log_now(self.remote, s3, list(s3._entries.values()), [], None), self.remote)
        with self.assertRaises(OrreryError) as ctx:
            use_now(self.remote, "s3refs", None, None, None).download(os.path.join(self.dir, "out3"))
        self.assertIn("s3://bucket/key.bin", str(ctx.exception))

    def test_use_artifact_refuses_another_type_and_unknown_versions(self):
        self.logged({"a.txt": b"alpha"})
        with self.assertRaises(OrreryError) as ctx:
            use_now(self.remote, "ds:latest", "model", None, "r")
        self.assertIn("type", str(ctx.exception))
        with self.assertRaises(OrreryError) as ctx:
            use_now(self.remote, "ds:v9", None, None, "r")
        self.assertIn("no version", str(ctx.exception))
        with self.assertRaises(OrreryError):
            use_now(self.remote, "a/b/c/d:latest", None, None, "r")

    def test_save_moves_aliases(self):
        self.logged({"a.txt": b"alpha"})
        art = use_now(self.remote, "ds", None, None, None)
        art.aliases.append("production")
        art.save()
        self.assertEqual(art.aliases, ["latest", "production"])


class RunIntegration(unittest.TestCase):
    def setUp(self):
        self.server = FakeArtifactServer()
        self.addCleanup(self.server.close)
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        self.addCleanup(self.tmp.__exit__)
        patcher = mock.patch.dict(os.environ, {"ORRERY_CACHE_DIR": os.path.join(self.dir, "cache")})
        patcher.start()
        self.addCleanup(patcher.stop)

    def init(self, mode="online", **kw):
        return orrery.init(project="team/proj", mode=mode, dir=os.path.join(self.dir, "spool"), url=self.server.url,
                           console=False, system_metrics_interval=0, **kw)

    def test_log_artifact_uploads_in_the_background_and_finish_waits_for_it(self):
        path = write(os.path.join(self.dir, "model.pt"), b"w" * 10_000)
        run = self.init()
        art = orrery.Artifact("net", "model")
        art.add_file(path)
        returned = run.log_artifact(art, aliases=["latest", "best"])
        self.assertIs(returned, art)
        run.finish()
        self.assertTrue(art._done.is_set())
        self.assertEqual(art.wait().version, "v0")
        self.assertEqual(art.aliases, ["best", "latest"])
        self.assertEqual(art.created_by, run.id)
        with self.assertRaises(OrreryError):
            art.add_file(path, name="late.pt")

    def test_logging_a_logged_or_used_artifact_again_only_warns(self):
        path = write(os.path.join(self.dir, "model.pt"), b"w")
        run = self.init()
        art = orrery.Artifact("net", "model")
        art.add_file(path)
        run.log_artifact(art).wait()
        used = run.use_artifact("net:v0")
        creates = len([r for r in self.server.requests if r[0] == "POST" and r[1].endswith("/artifacts")])
        err = io.StringIO()
        with redirect_stderr(err):
            self.assertIs(run.log_artifact(art), art)
            self.assertIs(run.log_artifact(used, aliases=["x"]), used)
        self.assertIn("already logged", err.getvalue())
        self.assertEqual(len([r for r in self.server.requests if r[0] == "POST" and r[1].endswith("/artifacts")]), creates)
        run.finish()

    def test_log_artifact_takes_a_path_and_use_artifact_links_the_run(self):
        path = write(os.path.join(self.dir, "data", "x.csv"), b"1,2\n")
        run = self.init()
        art = orrery.log_artifact(os.path.join(self.dir, "data"), name="raw", type="dataset")
        self.assertEqual(art.wait().version, "v0")
        used = orrery.use_artifact("raw:latest")
        self.assertEqual(self.server.uses, [("raw", "v0", run.id)])
        self.assertEqual(used.file(os.path.join(self.dir, "got")), os.path.join(self.dir, "got", "x.csv"))
        run.finish()
        self.assertTrue(os.path.isfile(path))

    def test_a_failed_upload_never_raises_into_training_but_wait_raises(self):
        path = write(os.path.join(self.dir, "model.pt"), b"w")
        run = self.init()
        art = orrery.Artifact("net", "model")
        art.add_file(path)
        err = io.StringIO()
        with mock.patch.object(_artifact_io, "log_now", side_effect=OrreryError("orrery: logging artifact net: refused (400)")), redirect_stderr(err):
            run.log_artifact(art)
            run.finish()
        self.assertIn("artifact net was not logged", err.getvalue())
        with self.assertRaises(OrreryError):
            art.wait()

    def test_offline_and_disabled_runs_warn_on_log_and_refuse_use(self):
        for mode in ("offline", "disabled"):
            with self.subTest(mode=mode):
                run = self.init(mode=mode)
                art = orrery.Artifact("a", "dataset")
                err = io.StringIO()
                with redirect_stderr(err):
                    self.assertIs(run.log_artifact(art), art)
                self.assertIn("artifacts need a server", err.getvalue())
                with self.assertRaises(OrreryError) as ctx:
                    art.wait()
                self.assertIn("artifacts need a server", str(ctx.exception))
                with self.assertRaises(OrreryError) as ctx:
                    run.use_artifact("a:latest")
                self.assertIn("needs a server", str(ctx.exception))
                with redirect_stderr(io.StringIO()):
                    run.finish()
        self.assertEqual([r for r in self.server.requests if "/artifacts" in r[1]], [])

    def test_a_script_that_ends_without_finish_still_uploads_its_artifact(self):
        path = write(os.path.join(self.dir, "w.bin"), b"weights")
        code = (
            "import orrery, sys\n"
            "orrery.init(project='team/proj', console=False, system_metrics_interval=0)\n"
            "a = orrery.Artifact('net', 'model')\n"
            f"a.add_file({path!r})\n"
            "orrery.log_artifact(a)\n"
        )
        res = run_script(code, {"ORRERY_URL": self.server.url, "ORRERY_DIR": os.path.join(self.dir, "spool"), "ORRERY_MODE": "online"})
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.server.versions["net"][0]["version"], "v0")
        self.assertIn(sha(b"weights"), self.server.blobs)

    def test_finish_prints_progress_while_it_waits_for_a_big_upload(self):
        uploader = _artifact_io.ArtifactUploader(Remote(self.server.url, None, "team", "proj"), "r1")
        art = Artifact("big", "model")
        art._progress[:] = [10 * 2**20, 64 * 2**20]
        uploader._pending.append(art)
        threading.Timer(1.5, art._done.set).start()
        err = io.StringIO()
        with redirect_stderr(err):
            uploader.wait_all()
        self.assertIn("uploading artifact big: 10 of 64 MiB", err.getvalue())

    def test_use_artifact_accepts_entity_and_project_in_the_name_and_an_artifact_object(self):
        remote = Remote(self.server.url, None, "me", "here")
        target, name, version = _artifact_io.parse_use_ref("team/proj/ds:best", remote)
        self.assertEqual((target.entity, target.project, name, version), ("team", "proj", "ds", "best"))
        target, name, version = _artifact_io.parse_use_ref("ds", remote)
        self.assertEqual((target.entity, target.project, name, version), ("me", "here", "ds", "latest"))
        run = self.init()
        art = orrery.Artifact("fresh", "dataset")
        with art.new_file("a.txt") as f:
            f.write("a")
        used = run.use_artifact(art)
        self.assertIs(used, art)
        self.assertEqual(art.version, "v0")
        self.assertEqual(self.server.uses, [("fresh", "v0", run.id)])
        self.assertIsNone(self.server.versions["fresh"][0]["createdBy"])
        run.finish()

    def test_wait_on_an_artifact_never_logged_says_so(self):
        with self.assertRaises(OrreryError) as ctx:
            orrery.Artifact("a", "dataset").wait()
        self.assertIn("log_artifact", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()


class DownloadLockTest(unittest.TestCase):
    """One process (or thread) at a time fills a digest's part: the lock file the TS SDK takes too."""

    def test_a_second_taker_waits_until_the_first_releases(self):
        from orrery._artifact_download import _lock
        with TempDir() as tmp:
            release = _lock(tmp, "ab" * 32)
            got = threading.Event()

            def second():
                _lock(tmp, "ab" * 32)()
                got.set()

            t = threading.Thread(target=second)
            t.start()
            self.assertFalse(got.wait(0.5))
            release()
            self.assertTrue(got.wait(5))
            t.join()
            self.assertEqual(os.listdir(tmp), [])

    def test_a_lock_left_by_a_dead_process_is_taken_over(self):
        import socket
        import subprocess
        import sys
        from orrery._artifact_download import _lock
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        with TempDir() as tmp:
            with open(os.path.join(tmp, "cd" * 32 + ".lock"), "w", encoding="utf-8") as f:
                f.write(f"{gone.pid}@{socket.gethostname()}\n")
            _lock(tmp, "cd" * 32)()
            self.assertEqual(os.listdir(tmp), [])
