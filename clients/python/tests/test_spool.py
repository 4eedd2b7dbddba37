# The spool a Python run writes is the TypeScript SDK's format byte for byte: checked against a
# decoder written from docs/spool-format.md, and against the TypeScript SDK's own reader.
import json
import math
import os
import shutil
import struct
import subprocess
import unittest
import zlib

import orrery
from orrery._spool import SpoolReader, SpoolWriter, encode_frame, read_ack, read_spool, write_ack

from helpers import REPO_ROOT, TempDir, only_run_dir, read_spool_dir

NODE_READER = os.path.join(REPO_ROOT, "packages", "sdk", "dist", "spool", "format.js")


def write_sample_run(root: str) -> str:
    run = orrery.init(project="alice/digits", dir=root, mode="offline", config={"lr": 0.001, "layers": [64, 32]},
                      console=False, system_metrics_interval=0, name="sample", tags=["t1"])
    run.log({"loss": 0.5, "val/acc": 0.9})
    run.log({"loss": float("nan"), "inf": float("inf")})
    run.log({"w": orrery.Histogram([1, 2, 3])}, step=5)
    run.config.update({"batch": 128})
    run.summary["best"] = 0.97
    run.define_metric("loss", summary="min")
    run.finish(quiet=True)
    return only_run_dir(root)


class SpoolFormatTest(unittest.TestCase):
    def test_the_file_starts_with_magic_and_a_header_frame(self):
        with TempDir() as root:
            run_dir = write_sample_run(root)
            with open(os.path.join(run_dir, "records.spool"), "rb") as f:
                data = f.read()
            self.assertEqual(data[:8], b"ORRSPL01")
            length, crc = struct.unpack_from("<II", data, 8)
            header = data[16:16 + length]
            self.assertEqual(zlib.crc32(header), crc)
            parsed = json.loads(header)
            self.assertEqual(parsed["spool"], 1)
            self.assertEqual((parsed["entity"], parsed["project"]), ("alice", "digits"))
            self.assertRegex(parsed["runId"], r"^[a-z0-9]{8}$")
            self.assertIsInstance(parsed["createdAt"], int)

    def test_the_run_folder_is_named_like_the_typescript_sdks(self):
        with TempDir() as root:
            run_dir = write_sample_run(root)
            self.assertRegex(os.path.basename(run_dir), r"^run-\d{8}_\d{6}-[a-z0-9]{8}$")
            self.assertTrue(os.path.exists(os.path.join(run_dir, "records.spool")))

    def test_records_have_consecutive_seqs_with_the_run_record_first_and_finish_last(self):
        with TempDir() as root:
            _, records = read_spool_dir(write_sample_run(root))
            self.assertEqual([int(r["seq"]) for r in records], list(range(1, len(records) + 1)))
            self.assertEqual(records[0]["type"], "run")
            self.assertEqual(records[0]["config"], {"lr": 0.001, "layers": [64, 32]})
            self.assertEqual(records[0]["name"], "sample")
            self.assertEqual(records[0]["tags"], ["t1"])
            self.assertEqual(records[0]["metadata"]["runtime"], "python")
            self.assertEqual(records[-1], {**records[-1], "type": "finish", "exitCode": 0})
            types = [r["type"] for r in records]
            self.assertEqual(types, ["run", "history", "history", "histogram", "config", "summary", "define_metric", "finish"])

    def test_scalar_rows_are_binary_history_frames_and_other_records_json_with_seq_first(self):
        with TempDir() as root:
            run_dir = write_sample_run(root)
            with open(os.path.join(run_dir, "records.spool"), "rb") as f:
                data = f.read()
            at = 8
            kinds = []
            while at < len(data):
                length, _ = struct.unpack_from("<II", data, at)
                payload = data[at + 8:at + 8 + length]
                kinds.append(payload[0])
                if payload[0] == 0x7B and at > 8:
                    self.assertTrue(payload.startswith(b'{"seq":'), payload[:20])
                at += 8 + length
            self.assertEqual(kinds, [0x7B, 0x7B, 0x01, 0x01, 0x7B, 0x7B, 0x7B, 0x7B, 0x7B])

    def test_non_finite_values_keep_their_bit_patterns_in_binary_rows(self):
        with TempDir() as root:
            _, records = read_spool_dir(write_sample_run(root))
            row = records[2]["values"]
            self.assertTrue(math.isnan(row["loss"]))
            self.assertEqual(row["inf"], math.inf)

    def test_histograms_are_json_records_with_bins_and_counts(self):
        with TempDir() as root:
            _, records = read_spool_dir(write_sample_run(root))
            hist = records[3]
            self.assertEqual(hist["type"], "histogram")
            self.assertEqual(hist["step"], 5)
            h = hist["values"]["w"]
            self.assertEqual(len(h["bins"]), 65)
            self.assertEqual(len(h["counts"]), 64)
            self.assertEqual(sum(h["counts"]), 3)

    @unittest.skipUnless(shutil.which("node") and os.path.exists(NODE_READER), "needs node and a built packages/sdk (npm run build)")
    def test_the_typescript_sdks_reader_reads_a_python_spool(self):
        with TempDir() as root:
            run_dir = write_sample_run(root)
            script = (
                f"import {{ readSpoolFile }} from {json.dumps('file://' + NODE_READER)};\n"
                f"const r = readSpoolFile({json.dumps(os.path.join(run_dir, 'records.spool'))});\n"
                "process.stdout.write(JSON.stringify({ header: r.header, records: r.records, problem: r.problem ?? null }));\n"
            )
            out = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            parsed = json.loads(out.stdout)
            self.assertIsNone(parsed["problem"])
            py_header, py_records = read_spool_dir(run_dir)
            self.assertEqual(parsed["header"], py_header)
            self.assertEqual(len(parsed["records"]), len(py_records))
            self.assertEqual(parsed["records"][1]["values"], {"loss": 0.5, "val/acc": 0.9})
            # The TS reader turns NaN into the protocol's string: same value.
            self.assertEqual(parsed["records"][2]["values"], {"loss": "NaN", "inf": "Infinity"})
            self.assertEqual([r["type"] for r in parsed["records"]], [r["type"] for r in py_records])


class SpoolReaderTest(unittest.TestCase):
    def test_a_torn_tail_stops_the_reader_and_is_reported(self):
        with TempDir() as root:
            path = os.path.join(root, "records.spool")
            w = SpoolWriter.create(path, {"spool": 1, "entity": "e", "project": "p", "runId": "r1", "createdAt": 1})
            self.assertTrue(w.append(b'{"seq":1,"ts":1,"type":"finish","exitCode":0}'))
            w.close()
            with open(path, "ab") as f:
                f.write(encode_frame(b'{"seq":2}')[:-3])
            header, records, problem = read_spool(path)
            self.assertEqual(header["runId"], "r1")
            self.assertEqual(len(records), 1)
            self.assertEqual(problem.reason, "incomplete frame")
            self.assertEqual(problem.bytes, 14)

    def test_a_damaged_frame_is_a_checksum_mismatch(self):
        with TempDir() as root:
            path = os.path.join(root, "records.spool")
            w = SpoolWriter.create(path, {"spool": 1, "entity": "e", "project": "p", "runId": "r1", "createdAt": 1})
            w.append(b'{"seq":1,"ts":1,"type":"finish","exitCode":0}')
            w.close()
            with open(path, "r+b") as f:
                f.seek(-2, os.SEEK_END)
                f.write(b"XX")
            _, records, problem = read_spool(path)
            self.assertEqual(records, [])
            self.assertEqual(problem.reason, "checksum mismatch")

    def test_a_spool_file_is_never_overwritten(self):
        with TempDir() as root:
            path = os.path.join(root, "records.spool")
            SpoolWriter.create(path, {"spool": 1, "entity": "e", "project": "p", "runId": "r1", "createdAt": 1}).close()
            with self.assertRaises(FileExistsError):
                SpoolWriter.create(path, {"spool": 1, "entity": "e", "project": "p", "runId": "r1", "createdAt": 1})

    def test_ack_json_round_trips_and_a_broken_one_means_nothing_acknowledged(self):
        with TempDir() as root:
            self.assertEqual(read_ack(root), (0, 0))
            write_ack(root, read_ack(root)._replace(offset=120, seq=7))
            with open(os.path.join(root, "ack.json")) as f:
                self.assertEqual(f.read(), '{"offset":120,"seq":7}\n')
            self.assertEqual(read_ack(root), (120, 7))
            with open(os.path.join(root, "ack.json"), "w") as f:
                f.write("{broken")
            self.assertEqual(read_ack(root), (0, 0))

    def test_the_reader_finds_the_frame_of_a_seq(self):
        with TempDir() as root:
            path = os.path.join(root, "records.spool")
            w = SpoolWriter.create(path, {"spool": 1, "entity": "e", "project": "p", "runId": "r1", "createdAt": 1})
            offsets = []
            for seq in range(1, 4):
                offsets.append(w.offset)
                w.append(json.dumps({"seq": seq, "ts": 1, "type": "console", "stream": "stdout", "text": "x"}).encode())
            w.close()
            reader = SpoolReader.open(path)
            try:
                self.assertEqual(reader.find_seq(2), offsets[1])
                self.assertIsNone(reader.find_seq(9))
            finally:
                reader.close()


if __name__ == "__main__":
    unittest.main()
