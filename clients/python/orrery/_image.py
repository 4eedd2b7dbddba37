# Owns the image value type (orrery.Image, shaped like wandb.Image): turning nested lists, NumPy
# arrays, PIL images, PyTorch tensors, file paths and PNG/JPEG bytes into the protocol's Image
# ({format, data (base64), width, height, caption, classes, boxes, masks}), with W&B's boxes and
# masks dicts converted to the wire form. Arrays become 8-bit PNGs encoded here with zlib and
# struct (stdlib); numpy, PIL and torch are used only when the value already is one of theirs.
# _run.py routes Image values (and lists of them) to `image` records.
from __future__ import annotations

import base64
import math
import numbers
import os
import struct
import zlib
from typing import Any, Dict, List, Optional, Tuple

from ._values import OrreryValueError, describe

MAX_IMAGES_PER_KEY = 32
MAX_IMAGE_BOXES = 1024
MAX_IMAGE_MASKS = 16
MAX_IMAGE_SIDE = 16384

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _fail(message: str) -> OrreryValueError:
    return OrreryValueError("image", "orrery: Image " + message)


# -- PNG/JPEG headers and PNG encoding -------------------------------------------------------------

def image_header(b: bytes) -> Optional[Dict[str, Any]]:
    """{format, width, height (, bit_depth, color_type for PNG)} from a PNG or JPEG header, or None."""
    if len(b) >= 26 and b[:8] == _PNG_SIGNATURE and b[8:16] == b"\x00\x00\x00\x0dIHDR":
        w, h, depth, color = struct.unpack(">IIBB", b[16:26])
        return {"format": "png", "width": w, "height": h, "bit_depth": depth, "color_type": color}
    if len(b) >= 4 and b[0] == 0xFF and b[1] == 0xD8 and b[2] == 0xFF:
        i = 2
        while i + 4 <= len(b):
            if b[i] != 0xFF:
                return None
            marker = b[i + 1]
            if marker == 0xFF:
                i += 1
                continue
            if marker == 0x01 or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = (b[i + 2] << 8) + b[i + 3]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                if i + 9 > len(b):
                    return None
                h, w = struct.unpack(">HH", b[i + 5:i + 9])
                return {"format": "jpeg", "width": w, "height": h}
            if marker in (0xD9, 0xDA):
                return None
            i += 2 + length
    return None


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(width: int, height: int, channels: int, pixels: bytes) -> bytes:
    """An 8-bit PNG (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA channels) of row-major pixel bytes, top row first."""
    for name, n in (("width", width), ("height", height)):
        if not isinstance(n, int) or not 1 <= n <= MAX_IMAGE_SIDE:
            raise _fail(f"{name} must be an integer from 1 to {MAX_IMAGE_SIDE}, got {describe(n)}")
    color = {1: 0, 2: 4, 3: 2, 4: 6}.get(channels)
    if color is None:
        raise _fail(f"must have 1, 2, 3 or 4 channels, got {channels}")
    stride = width * channels
    if len(pixels) != stride * height:
        raise _fail(f"pixels must be width x height x channels = {stride * height} bytes, got {len(pixels)}")
    raw = b"".join(b"\x00" + pixels[y * stride:(y + 1) * stride] for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    return _PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


# -- arrays of pixels ------------------------------------------------------------------------------

def _module(v: Any) -> str:
    return type(v).__module__.split(".")[0]


def _is_torch(v: Any) -> bool:
    return _module(v) == "torch" and hasattr(v, "detach")


def _is_numpy(v: Any) -> bool:
    return _module(v) == "numpy" and hasattr(v, "shape")


def _is_pil(v: Any) -> bool:
    return _module(v) == "PIL" and hasattr(v, "save") and hasattr(v, "mode")


def _to_byte(x: float, scale: float) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise _fail(f"pixel values must be numbers, got {describe(x)}")
    x = float(x) * scale
    if x != x:
        return 0
    return 0 if x < 0 else 255 if x > 255 else int(round(x))


def _flat_pixels(rows: List[Any]) -> Tuple[int, int, int, List[float]]:
    """(height, width, channels, flat values) of nested lists: rows of numbers, or rows of pixels."""
    if not isinstance(rows, (list, tuple)) or not rows or not isinstance(rows[0], (list, tuple)) or not rows[0]:
        raise _fail("arrays must be 2-D (height x width) or 3-D (height x width x channels)")
    height, width = len(rows), len(rows[0])
    first = rows[0][0]
    channels = len(first) if isinstance(first, (list, tuple)) else 0
    flat: List[float] = []
    for y, row in enumerate(rows):
        if not isinstance(row, (list, tuple)) or len(row) != width:
            raise _fail(f"row {y} has {len(row) if isinstance(row, (list, tuple)) else 'no'} pixels; every row must have {width}")
        if channels == 0:
            flat.extend(row)
        else:
            for px in row:
                if not isinstance(px, (list, tuple)) or len(px) != channels:
                    raise _fail(f"every pixel of row {y} must have {channels} channels")
                flat.extend(px)
    return height, width, max(channels, 1), flat


def _scale_for(flat: List[float], is_float: bool) -> float:
    """W&B's rule: float pixels within [0, 1] are scaled to 0..255; anything else is clipped to 0..255."""
    if not is_float or not flat:
        return 1.0
    finite = [x for x in flat if isinstance(x, numbers.Real) and not (isinstance(x, float) and math.isnan(x))]
    if finite and min(finite) >= 0 and max(finite) <= 1:
        return 255.0
    return 1.0


def _png_from_lists(rows: Any) -> Tuple[bytes, int, int]:
    height, width, channels, flat = _flat_pixels(rows)
    if channels not in (1, 2, 3, 4):
        raise _fail(f"pixels must have 1, 3 or 4 channels, got {channels}")
    is_float = any(isinstance(x, float) for x in flat)
    scale = _scale_for(flat, is_float)
    return encode_png(width, height, channels, bytes(_to_byte(x, scale) for x in flat)), width, height


def _png_from_numpy(arr: Any) -> Tuple[bytes, int, int]:
    import numpy as np

    a = np.asarray(arr)
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[2] not in (1, 3, 4):
        a = np.transpose(a, (1, 2, 0))  # C x H x W, as torch and many loaders give
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (2, 3, 4)):
        raise _fail(f"arrays must be H x W, H x W x C or C x H x W with 1, 3 or 4 channels, got shape {tuple(a.shape)}")
    if a.dtype.kind == "b":
        a = a.astype(np.uint8) * 255
    elif a.dtype.kind == "f":
        finite = a[np.isfinite(a)]
        if finite.size and finite.min() >= 0 and finite.max() <= 1:
            a = a * 255.0
        a = np.nan_to_num(a, nan=0.0, posinf=255.0, neginf=0.0)
        a = np.clip(np.rint(a), 0, 255).astype(np.uint8)
    elif a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8)
    height, width = int(a.shape[0]), int(a.shape[1])
    channels = 1 if a.ndim == 2 else int(a.shape[2])
    return encode_png(width, height, channels, np.ascontiguousarray(a).tobytes()), width, height


def _png_from_torch(t: Any) -> Tuple[bytes, int, int]:
    t = t.detach().cpu()
    if t.dim() == 4 and t.shape[0] == 1:
        t = t[0]
    if t.dim() == 3 and t.shape[0] in (1, 3, 4):
        t = t.permute(1, 2, 0)  # C x H x W -> H x W x C
    try:
        import numpy  # noqa: F401

        return _png_from_numpy(t.float().numpy() if t.is_floating_point() else t.numpy())
    except ImportError:
        return _png_from_lists(t.tolist())


def _png_from_pil(im: Any) -> bytes:
    import io

    if im.mode not in ("L", "LA", "RGB", "RGBA"):
        im = im.convert("RGBA" if "A" in im.mode or "transparency" in getattr(im, "info", {}) else "RGB")
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def _png_of(data: Any) -> Tuple[bytes, int, int]:
    """PNG bytes and size of array-like pixel data."""
    if _is_torch(data):
        return _png_from_torch(data)
    if _is_numpy(data):
        return _png_from_numpy(data)
    if isinstance(data, (list, tuple)):
        return _png_from_lists(data)
    raise _fail(f"takes a path, PNG/JPEG bytes, a nested list, a NumPy array, a PIL image or a torch tensor, got {describe(data)}")


# -- boxes, masks, classes ---------------------------------------------------------------------------

def _labels(classes: Any, where: str) -> Dict[str, str]:
    """{id: label}: from a dict, or W&B's list of {"id", "name"}."""
    if classes is None:
        return {}
    if hasattr(classes, "_class_set"):  # wandb.Classes
        classes = classes._class_set
    out: Dict[str, str] = {}
    if isinstance(classes, dict):
        items = classes.items()
    elif isinstance(classes, (list, tuple)):
        try:
            items = [(c["id"], c["name"]) for c in classes]
        except (TypeError, KeyError):
            raise _fail(f"{where} must be a dict of class id -> label, or a list of {{\"id\", \"name\"}}") from None
    else:
        raise _fail(f"{where} must be a dict of class id -> label, got {describe(classes)}")
    for k, v in items:
        try:
            ident = int(k)
        except (TypeError, ValueError):
            raise _fail(f"{where} ids must be integers >= 0, got {k!r}") from None
        if ident < 0 or isinstance(k, bool):
            raise _fail(f"{where} ids must be integers >= 0, got {k!r}")
        out[str(ident)] = str(v)
    return out


def _num(v: Any, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(float(v)):
        raise _fail(f"box {what} must be a finite number, got {describe(v)}")
    return float(v)


def _wandb_box(b: Dict[str, Any], width: int, height: int, where: str) -> Dict[str, Any]:
    pos = b.get("position")
    if not isinstance(pos, dict):
        raise _fail(f"{where} needs a position: {{minX, maxX, minY, maxY}} or {{middle, width, height}}")
    if "middle" in pos:
        middle = pos["middle"]
        if not isinstance(middle, (list, tuple)) or len(middle) != 2:
            raise _fail(f"{where} position middle must be [x, y]")
        mx, my = middle
        bw, bh = _num(pos.get("width"), "width"), _num(pos.get("height"), "height")
        x0, y0 = _num(mx, "middle") - bw / 2, _num(my, "middle") - bh / 2
    else:
        x0, y0 = _num(pos.get("minX"), "minX"), _num(pos.get("minY"), "minY")
        bw, bh = _num(pos.get("maxX"), "maxX") - x0, _num(pos.get("maxY"), "maxY") - y0
    if b.get("domain") != "pixel":  # W&B's default: fractions of the image's size
        x0, bw, y0, bh = x0 * width, bw * width, y0 * height, bh * height
    cls = b.get("class_id", 0)
    if isinstance(cls, bool) or not isinstance(cls, numbers.Integral) or cls < 0:
        raise _fail(f"{where} class_id must be an integer >= 0, got {describe(cls)}")
    box: Dict[str, Any] = {"x": x0, "y": y0, "w": bw, "h": bh, "class": int(cls)}
    scores = b.get("scores")
    if isinstance(scores, dict) and scores:
        score = scores.get("score", scores.get("confidence", next(iter(scores.values()))))
        box["score"] = _num(score, "score")
    elif "score" in b:
        box["score"] = _num(b["score"], "score")
    caption = b.get("box_caption", b.get("caption"))
    if caption is not None:
        box["caption"] = str(caption)[:256]
    return box


def _wire_box(b: Dict[str, Any], where: str) -> Dict[str, Any]:
    cls = b.get("class")
    if isinstance(cls, bool) or not isinstance(cls, numbers.Integral) or cls < 0:
        raise _fail(f"{where} class must be an integer >= 0, got {describe(cls)}")
    box: Dict[str, Any] = {k: _num(b.get(k), k) for k in ("x", "y", "w", "h")}
    if box["w"] < 0 or box["h"] < 0:
        raise _fail(f"{where} w and h must be >= 0")
    box["class"] = int(cls)
    if b.get("score") is not None:
        box["score"] = _num(b["score"], "score")
    if b.get("caption") is not None:
        box["caption"] = str(b["caption"])[:256]
    return box


def _boxes(boxes: Any, width: int, height: int, classes: Dict[str, str]) -> List[Dict[str, Any]]:
    """Wire boxes from W&B's {group: {"box_data": [...], "class_labels": {...}}} or a list of {x, y, w, h, class}."""
    out: List[Dict[str, Any]] = []
    if isinstance(boxes, dict):
        for group, spec in boxes.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("box_data"), (list, tuple)):
                raise _fail(f"boxes[{group!r}] must be {{\"box_data\": [...], \"class_labels\": {{...}}}}")
            for k, v in _labels(spec.get("class_labels"), f"boxes[{group!r}] class_labels").items():
                classes.setdefault(k, v)
            for i, b in enumerate(spec["box_data"]):
                if not isinstance(b, dict):
                    raise _fail(f"boxes[{group!r}] box_data[{i}] must be a dict")
                out.append(_wandb_box(b, width, height, f"boxes[{group!r}] box_data[{i}]"))
    elif isinstance(boxes, (list, tuple)):
        for i, b in enumerate(boxes):
            if not isinstance(b, dict):
                raise _fail(f"boxes[{i}] must be a dict")
            out.append(_wandb_box(b, width, height, f"boxes[{i}]") if "position" in b else _wire_box(b, f"boxes[{i}]"))
    else:
        raise _fail(f"boxes must be W&B's {{\"predictions\": {{\"box_data\": [...]}}}} or a list of boxes, got {describe(boxes)}")
    if len(out) > MAX_IMAGE_BOXES:
        raise _fail(f"has {len(out)} boxes; the limit is {MAX_IMAGE_BOXES}: keep the highest-scoring ones")
    return out


def _mask_png(data: Any, width: int, height: int, where: str) -> bytes:
    if isinstance(data, (str, os.PathLike)):
        with open(data, "rb") as f:
            data = f.read()
    if isinstance(data, (bytes, bytearray, memoryview)):
        png = bytes(data)
    else:
        if _is_torch(data):
            data = data.detach().cpu()
            data = data.numpy() if _has_numpy() else data.tolist()
        if _is_numpy(data):
            import numpy as np

            a = np.asarray(data)
            if a.ndim != 2:
                raise _fail(f"{where} mask_data must be 2-D (height x width) class ids, got shape {tuple(a.shape)}")
            if a.size and (a.min() < 0 or a.max() > 255):
                raise _fail(f"{where} class ids must be from 0 to 255")
            png = encode_png(int(a.shape[1]), int(a.shape[0]), 1, np.ascontiguousarray(a.astype(np.uint8)).tobytes())
        elif isinstance(data, (list, tuple)):
            h, w, c, flat = _flat_pixels(data)
            if c != 1 or (flat and isinstance(data[0][0], (list, tuple))):
                raise _fail(f"{where} mask_data must be 2-D (height x width) class ids")
            for x in flat:
                if isinstance(x, bool) or not isinstance(x, numbers.Integral) or not 0 <= x <= 255:
                    raise _fail(f"{where} class ids must be integers from 0 to 255, got {describe(x)}")
            png = encode_png(w, h, 1, bytes(int(x) for x in flat))
        else:
            raise _fail(f"{where} mask_data must be a 2-D array of class ids, got {describe(data)}")
    head = image_header(png)
    if head is None or head["format"] != "png" or head.get("bit_depth") != 8 or head.get("color_type") != 0:
        raise _fail(f"{where} must be an 8-bit grayscale PNG of class ids")
    if (head["width"], head["height"]) != (width, height):
        raise _fail(f"{where} is {head['width']} x {head['height']}; a mask must be its image's size, {width} x {height}")
    return png


def _has_numpy() -> bool:
    try:
        import numpy  # noqa: F401

        return True
    except ImportError:
        return False


def _masks(masks: Any, width: int, height: int) -> List[Dict[str, Any]]:
    """Wire masks from W&B's {name: {"mask_data": 2-D array, "class_labels": {...}}} or a list of {name, data, classes}."""
    if isinstance(masks, dict):
        items = []
        for name, spec in masks.items():
            if not isinstance(spec, dict) or ("mask_data" not in spec and "path" not in spec):
                raise _fail(f"masks[{name!r}] must be {{\"mask_data\": 2-D array, \"class_labels\": {{...}}}}")
            items.append((str(name), spec.get("mask_data", spec.get("path")), spec.get("class_labels")))
    elif isinstance(masks, (list, tuple)):
        items = []
        for i, m in enumerate(masks):
            if not isinstance(m, dict) or "name" not in m or "data" not in m:
                raise _fail(f"masks[{i}] must be {{\"name\", \"data\", \"classes\"}}")
            items.append((str(m["name"]), m["data"], m.get("classes")))
    else:
        raise _fail(f"masks must be W&B's {{\"ground_truth\": {{\"mask_data\": ...}}}} or a list of masks, got {describe(masks)}")
    if len(items) > MAX_IMAGE_MASKS:
        raise _fail(f"has {len(items)} masks; the limit is {MAX_IMAGE_MASKS}")
    out = []
    for name, data, labels in items:
        if not 1 <= len(name) <= 128:
            raise _fail(f"mask name {name[:40]!r} must be 1 to 128 characters")
        mask: Dict[str, Any] = {"name": name, "format": "png",
                                "data": base64.b64encode(_mask_png(data, width, height, f"masks[{name!r}]")).decode("ascii")}
        lab = _labels(labels, f"masks[{name!r}] class_labels")
        if lab:
            mask["classes"] = lab
        out.append(mask)
    return out


# -- Image ---------------------------------------------------------------------------------------------

class Image:
    """An image to log, like wandb.Image: `run.log({"samples": orrery.Image(arr, caption="epoch 3")})`,
    or a list of up to 32 under one key.

    data_or_path: a path to a PNG/JPEG file, PNG/JPEG bytes (sent as they are), a nested list, a
    NumPy array (H x W, H x W x C or C x H x W; floats within [0, 1] are scaled to 0..255), a PIL
    image, or a torch tensor (C x H x W float 0..1 or uint8). Anything else is encoded as a PNG.
    boxes: W&B's {"predictions": {"box_data": [{"position": {"minX", "maxX", "minY", "maxY"} or
    {"middle", "width", "height"}, "domain": "pixel" (else fractions), "class_id", "scores": {...},
    "box_caption"}], "class_labels": {...}}}, or a list of {x, y, w, h, class, score, caption} in pixels.
    masks: W&B's {"ground_truth": {"mask_data": 2-D class ids, "class_labels": {...}}}, or a list of
    {name, data, classes}. classes: {id: label} (or W&B's [{"id", "name"}]) for the box classes.
    """

    def __init__(self, data_or_path: Any, mode: Optional[str] = None, caption: Optional[str] = None,
                 grouping: Any = None, classes: Any = None, boxes: Any = None, masks: Any = None,
                 file_type: Optional[str] = None, normalize: bool = True):
        raw: Optional[bytes] = None
        if isinstance(data_or_path, (str, os.PathLike)):
            try:
                with open(data_or_path, "rb") as f:
                    raw = f.read()
            except OSError as e:
                raise _fail(f"cannot read {os.fspath(data_or_path)!r}: {e.strerror or e}") from None
        elif isinstance(data_or_path, (bytes, bytearray, memoryview)):
            raw = bytes(data_or_path)
        if raw is not None:
            head = image_header(raw)
            if head is None:
                raise _fail("files and bytes must be PNG or JPEG; convert other formats (or pass the pixels as an array)")
            self._bytes, self.format, self.width, self.height = raw, head["format"], head["width"], head["height"]
        elif _is_pil(data_or_path):
            if mode is not None and data_or_path.mode != mode:
                data_or_path = data_or_path.convert(mode)
            self._bytes = _png_from_pil(data_or_path)
            self.format, (self.width, self.height) = "png", data_or_path.size
        else:
            self._bytes, self.width, self.height = _png_of(data_or_path)
            self.format = "png"
        if caption is not None and not isinstance(caption, str):
            caption = str(caption)
        if caption is not None and len(caption) > 1024:
            raise _fail(f"caption is {len(caption)} characters; the limit is 1024")
        self.caption = caption
        self.classes = _labels(classes, "classes")
        self.boxes = _boxes(boxes, self.width, self.height, self.classes) if boxes is not None else []
        self.masks = _masks(masks, self.width, self.height) if masks is not None else []
        self._data = base64.b64encode(self._bytes).decode("ascii")

    def to_json(self) -> Dict[str, Any]:
        """The protocol's Image, as sent in an `image` record."""
        out: Dict[str, Any] = {"format": self.format, "data": self._data, "width": self.width, "height": self.height}
        if self.caption is not None:
            out["caption"] = self.caption
        if self.classes:
            out["classes"] = self.classes
        if self.boxes:
            out["boxes"] = self.boxes
        if self.masks:
            out["masks"] = self.masks
        return out

    @property
    def wire_size(self) -> int:
        """About how many characters this image adds to a record."""
        return len(self._data) + 256 + 96 * len(self.boxes) + sum(len(m["data"]) + 128 for m in self.masks)

    def __repr__(self) -> str:
        return f"Image({self.format}, {self.width} x {self.height}{', ' + repr(self.caption) if self.caption else ''})"


def is_image_value(v: Any) -> bool:
    """An Image, or a non-empty list/tuple starting with one (the rest are checked by image_entry)."""
    return isinstance(v, Image) or (isinstance(v, (list, tuple)) and len(v) > 0 and isinstance(v[0], Image))


def image_entry(key: str, v: Any) -> Any:
    """The wire entry of a log() value: one image's JSON, or a list of them."""
    if isinstance(v, Image):
        return v.to_json()
    if len(v) > MAX_IMAGES_PER_KEY:
        raise OrreryValueError(key, f"orrery: log() \"{key}\" holds {len(v)} images; the limit is {MAX_IMAGES_PER_KEY} per key and step: log the rest under another key or step")
    for i, x in enumerate(v):
        if not isinstance(x, Image):
            raise OrreryValueError(key, f"orrery: log() \"{key}\"[{i}] is {describe(x)}; a list of images must hold only orrery.Image values")
    return [x.to_json() for x in v]
