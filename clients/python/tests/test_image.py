# orrery.Image: PNGs encoded with the stdlib from lists, NumPy arrays, torch tensors and PIL images
# (read back by zlib, and by PIL when it is installed), PNG/JPEG bytes and files passed through,
# W&B's boxes and masks dicts converted to the wire form, bad input refused; and log() writing
# images (and lists of them) as an image record at the row's step.
import base64
import os
import struct
import unittest
import zlib

import orrery
from orrery import OrreryValueError
from orrery._image import encode_png, image_header

from helpers import TempDir, only_run_dir, read_spool_dir

try:
    import numpy as np
except ImportError:  # pragma: no cover - Debian's python3 has it
    np = None
try:
    import torch
except ImportError:  # pragma: no cover
    torch = None
try:
    from PIL import Image as PILImage
except ImportError:  # pragma: no cover
    PILImage = None


def png_rows(png: bytes):
    """Inflated IDAT rows of a PNG: [(filter byte, row bytes)] (we write unfiltered rows)."""
    head = image_header(png)
    channels = {0: 1, 4: 2, 2: 3, 6: 4}[head["color_type"]]
    at, idat = 8, b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind = png[at + 4:at + 8]
        body = png[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, "bad chunk CRC"
        if kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = head["width"] * channels
    return [(raw[y * (stride + 1)], raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]) for y in range(head["height"])]


def wire_bytes(img) -> bytes:
    return base64.b64decode(img.to_json()["data"])


JPEG = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
              0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x30, 0x00, 0x40, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9])


class EncodeTest(unittest.TestCase):
    def test_nested_lists_become_an_8_bit_png_with_the_same_pixels(self):
        img = orrery.Image([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [10, 20, 30]]])
        self.assertEqual((img.format, img.width, img.height), ("png", 2, 2))
        png = wire_bytes(img)
        self.assertEqual(image_header(png)["color_type"], 2)
        self.assertEqual(png_rows(png), [(0, bytes([255, 0, 0, 0, 255, 0])), (0, bytes([0, 0, 255, 10, 20, 30]))])

    def test_float_pixels_within_0_1_are_scaled_to_0_255_and_others_clipped(self):
        self.assertEqual(png_rows(wire_bytes(orrery.Image([[0.0, 0.5, 1.0]])))[0][1], bytes([0, 128, 255]))
        self.assertEqual(png_rows(wire_bytes(orrery.Image([[-5.0, 100.0, 300.0]])))[0][1], bytes([0, 100, 255]))

    @unittest.skipIf(np is None, "numpy is not installed")
    def test_numpy_arrays_hw_hwc_and_chw_are_encoded(self):
        grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
        img = orrery.Image(grey)
        self.assertEqual((img.width, img.height), (4, 3))
        self.assertEqual([r for _, r in png_rows(wire_bytes(img))], [bytes(range(0, 4)), bytes(range(4, 8)), bytes(range(8, 12))])
        hwc = np.zeros((3, 4, 3), dtype=np.uint8)
        hwc[0, 0] = [1, 2, 3]
        self.assertEqual(png_rows(wire_bytes(orrery.Image(hwc)))[0][1][:3], bytes([1, 2, 3]))
        # C x H x W when the last axis cannot be channels (an H x W x C array with 3 x 3 x 4 stays HWC).
        wide = np.zeros((3, 5, 6), dtype=np.uint8)
        wide[:, 0, 0] = [1, 2, 3]
        img = orrery.Image(wide.astype(np.float32) / 255.0)
        self.assertEqual((img.width, img.height), (6, 5))
        self.assertEqual(png_rows(wire_bytes(img))[0][1][:3], bytes([1, 2, 3]))

    @unittest.skipIf(torch is None, "torch is not installed")
    def test_torch_tensors_chw_float_and_uint8_are_encoded(self):
        t = torch.zeros(3, 2, 5)
        t[0, 1, 4] = 1.0
        img = orrery.Image(t)
        self.assertEqual((img.width, img.height), (5, 2))
        self.assertEqual(png_rows(wire_bytes(img))[1][1][12:15], bytes([255, 0, 0]))
        u = orrery.Image(torch.full((1, 2, 2), 7, dtype=torch.uint8))
        self.assertEqual(png_rows(wire_bytes(u)), [(0, bytes([7, 7])), (0, bytes([7, 7]))])

    @unittest.skipIf(PILImage is None, "PIL is not installed")
    def test_pil_images_are_encoded_and_our_pngs_open_in_pil(self):
        im = PILImage.new("RGB", (6, 4), (9, 8, 7))
        img = orrery.Image(im)
        self.assertEqual((img.format, img.width, img.height), ("png", 6, 4))
        import io
        back = PILImage.open(io.BytesIO(encode_png(2, 1, 3, bytes([1, 2, 3, 4, 5, 6]))))
        self.assertEqual(list(back.getdata()), [(1, 2, 3), (4, 5, 6)])

    def test_png_and_jpeg_bytes_and_files_are_passed_through_with_the_headers_size(self):
        png = encode_png(3, 2, 1, bytes(6))
        self.assertEqual(wire_bytes(orrery.Image(png)), png)
        j = orrery.Image(JPEG)
        self.assertEqual((j.format, j.width, j.height), ("jpeg", 64, 48))
        with TempDir() as d:
            path = os.path.join(d, "x.png")
            with open(path, "wb") as f:
                f.write(png)
            self.assertEqual((orrery.Image(path).width, orrery.Image(path).height), (3, 2))

    def test_bad_data_is_refused(self):
        for bad in (b"GIF89a....", "/no/such/file.png", [[1, 2], [3]], object(), [[[1, 2, 3, 4, 5]]]):
            with self.assertRaises(OrreryValueError):
                orrery.Image(bad)


class BoxesAndMasksTest(unittest.TestCase):
    def test_wandb_boxes_in_fractions_and_pixels_become_pixel_boxes_with_class_score_and_caption(self):
        boxes = {"predictions": {
            "box_data": [
                {"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.25, "maxY": 0.75}, "class_id": 1, "scores": {"score": 0.9}, "box_caption": "cat"},
                {"position": {"middle": [5, 4], "width": 2, "height": 4}, "domain": "pixel", "class_id": 2, "scores": {"acc": 0.3}},
            ],
            "class_labels": {1: "cat", 2: "dog"},
        }}
        img = orrery.Image([[0] * 10] * 8, boxes=boxes, caption="c")
        wire = img.to_json()
        self.assertEqual(wire["classes"], {"1": "cat", "2": "dog"})
        self.assertEqual(wire["boxes"][1], {"x": 4.0, "y": 2.0, "w": 2.0, "h": 4.0, "class": 2, "score": 0.3})
        b0 = wire["boxes"][0]
        self.assertEqual((b0["class"], b0["score"], b0["caption"]), (1, 0.9, "cat"))
        for got, want in zip((b0["x"], b0["y"], b0["w"], b0["h"]), (1.0, 2.0, 4.0, 4.0)):
            self.assertAlmostEqual(got, want)

    def test_wire_boxes_are_taken_as_they_are(self):
        wire = orrery.Image([[0, 0]], boxes=[{"x": 0, "y": 0, "w": 1, "h": 1, "class": 3, "score": 0.5}], classes={3: "car"}).to_json()
        self.assertEqual(wire["boxes"], [{"x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0, "class": 3, "score": 0.5}])
        self.assertEqual(wire["classes"], {"3": "car"})

    def test_wandb_masks_become_grey_pngs_of_class_ids_with_their_labels(self):
        mask = [[0, 1, 1], [2, 2, 0]]
        wire = orrery.Image([[0, 0, 0], [0, 0, 0]], masks={"ground_truth": {"mask_data": mask, "class_labels": {0: "bg", 1: "a", 2: "b"}}}).to_json()
        m = wire["masks"][0]
        self.assertEqual((m["name"], m["format"], m["classes"]), ("ground_truth", "png", {"0": "bg", "1": "a", "2": "b"}))
        png = base64.b64decode(m["data"])
        self.assertEqual(image_header(png)["color_type"], 0)
        self.assertEqual([r for _, r in png_rows(png)], [bytes([0, 1, 1]), bytes([2, 2, 0])])

    def test_bad_boxes_and_masks_are_refused(self):
        px = [[0, 0, 0], [0, 0, 0]]
        with self.assertRaises(OrreryValueError):
            orrery.Image(px, boxes={"p": {"box_data": [{"class_id": 1}]}})
        with self.assertRaises(OrreryValueError):
            orrery.Image(px, boxes=[{"x": 0, "y": 0, "w": 1, "h": 1, "class": 0}] * 1025)
        with self.assertRaisesRegex(OrreryValueError, "3 x 2"):
            orrery.Image(px, masks={"m": {"mask_data": [[0, 1], [1, 0]]}})
        with self.assertRaises(OrreryValueError):
            orrery.Image(px, masks={"m": {"mask_data": [[0, 300, 0], [0, 0, 0]]}})


class LogImagesTest(unittest.TestCase):
    def setUp(self):
        self._tmp = TempDir()
        self.root = self._tmp.__enter__()
        self.run = orrery.init(project="images", dir=self.root, mode="offline", console=False, system_metrics_interval=0)

    def tearDown(self):
        if orrery.run is not None:
            orrery.finish(quiet=True)
        self._tmp.__exit__(None, None, None)

    def records(self):
        self.run.finish(quiet=True)
        _, recs = read_spool_dir(only_run_dir(self.root))
        return [r for r in recs if r["type"] in ("history", "image")]

    def test_images_and_lists_of_them_go_to_an_image_record_at_the_rows_step(self):
        a = orrery.Image([[1, 2]], caption="a")
        b = orrery.Image([[3, 4]])
        orrery.log({"loss": 1.0})
        orrery.log({"loss": 0.5, "val": {"sample": a}, "grid": [a, b]})
        recs = self.records()
        self.assertEqual([(r["type"], int(r["step"])) for r in recs], [("history", 0), ("history", 1), ("image", 1)])
        self.assertEqual(recs[2]["values"], {"val.sample": a.to_json(), "grid": [a.to_json(), b.to_json()]})

    def test_an_explicit_step_is_kept_and_mixed_or_long_lists_are_refused(self):
        a = orrery.Image([[1]])
        orrery.log({"pic": a}, step=4)
        with self.assertRaisesRegex(OrreryValueError, "only orrery.Image"):
            orrery.log({"pic": [a, 3]})
        with self.assertRaisesRegex(OrreryValueError, "limit is 32"):
            orrery.log({"pic": [a] * 33})
        self.assertEqual([(r["type"], r["step"]) for r in self.records()], [("image", 4)])


if __name__ == "__main__":
    unittest.main()
