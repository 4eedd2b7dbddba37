# Owns the value types a script hands to orrery (Histogram, Table), the errors it raises at its
# caller, and the conversion of config and summary values into JSON the server accepts: any JSON,
# NaN and infinities as the protocol's strings, NumPy/PyTorch values through tolist(), and (as W&B
# does) str() for objects JSON cannot carry. log() values are checked in _run.py, not here.
from __future__ import annotations

import dataclasses
import datetime
import enum
import math
import numbers
import os
from typing import Any, Dict, List, Optional, Sequence

MAX_KEY_LENGTH = 256
MAX_DEPTH = 64
MAX_BINS = 512
DEFAULT_BINS = 64


class OrreryError(ValueError):
    """A bad option or call: `field` names the option (code `invalid_request`, as the server's errors)."""

    code = "invalid_request"

    def __init__(self, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.field = field


class OrreryValueError(TypeError):
    """A value orrery will not store; `key` names the (flattened) key."""

    code = "invalid_value"

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def option_error(option: str, message: str) -> OrreryError:
    return OrreryError(f"orrery: option `{option}` {message}", option)


def describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"the string {shown!r}"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return f"a {type(value).__name__}"


def check_key(key: Any, what: str) -> str:
    if not isinstance(key, str):
        raise OrreryValueError(str(key), f"orrery: {what} keys must be strings, got {describe(key)}")
    if not key:
        raise OrreryValueError(key, f"orrery: {what} has an empty key; give every value a name")
    if len(key) > MAX_KEY_LENGTH:
        raise OrreryValueError(
            key, f"orrery: {what} key \"{key[:40]}…\" is {len(key)} characters; the limit is {MAX_KEY_LENGTH}: use a shorter name"
        )
    return key


def metric_json(v: float):
    """A float as the protocol's JSON metric: a number, or "NaN", "Infinity", "-Infinity"."""
    if v != v:
        return "NaN"
    if v == math.inf:
        return "Infinity"
    if v == -math.inf:
        return "-Infinity"
    return v


class Histogram:
    """A distribution logged as bins and counts (like wandb.Histogram): `orrery.log({"w": Histogram(values)})`.

    `sequence` is any iterable of numbers (NumPy arrays and PyTorch tensors included); non-finite
    values are left out. `np_histogram` is a `(counts, bin_edges)` pair as `numpy.histogram` returns.
    """

    __slots__ = ("bins", "counts")

    def __init__(self, sequence: Any = None, np_histogram: Any = None, num_bins: int = DEFAULT_BINS):
        if np_histogram is not None:
            counts, bins = np_histogram
            self.bins = [float(b) for b in _to_list(bins)]
            self.counts = [float(c) for c in _to_list(counts)]
        elif sequence is not None:
            if isinstance(num_bins, bool) or not isinstance(num_bins, int) or not 1 <= num_bins <= MAX_BINS:
                raise OrreryValueError("num_bins", f"orrery: Histogram num_bins must be an integer from 1 to {MAX_BINS}, got {describe(num_bins)}")
            self.bins, self.counts = _bin(sequence, num_bins)
        else:
            raise OrreryValueError("sequence", "orrery: Histogram needs sequence= (the values) or np_histogram= ((counts, bin_edges))")
        _check_histogram(self.bins, self.counts)

    @classmethod
    def from_bins(cls, bins: Sequence[float], counts: Sequence[float]) -> "Histogram":
        h = cls.__new__(cls)
        h.bins = [float(b) for b in bins]
        h.counts = [float(c) for c in counts]
        _check_histogram(h.bins, h.counts)
        return h

    def to_json(self) -> dict:
        return {"bins": [_int_if_whole(b) for b in self.bins], "counts": [_int_if_whole(c) for c in self.counts]}

    def __repr__(self) -> str:
        return f"Histogram({len(self.counts)} bins from {self.bins[0]:g} to {self.bins[-1]:g})"


def _int_if_whole(v: float):
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def _check_histogram(bins: List[float], counts: List[float]) -> None:
    n = len(counts)
    if not 1 <= n <= MAX_BINS or len(bins) != n + 1:
        raise OrreryValueError(
            "histogram", f"orrery: a histogram needs 1 to {MAX_BINS} counts and one more bin edge than counts, got {len(bins)} edges and {n} counts"
        )
    for b in bins:
        if not math.isfinite(b):
            raise OrreryValueError("histogram", "orrery: histogram bin edges must be finite numbers")
    for i in range(n):
        if not bins[i] < bins[i + 1]:
            raise OrreryValueError("histogram", "orrery: histogram bin edges must be strictly ascending")
        c = counts[i]
        if not (math.isfinite(c) and c >= 0):
            raise OrreryValueError("histogram", "orrery: histogram counts must be finite numbers >= 0")


def _to_list(values: Any) -> list:
    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().cpu()
    if hasattr(values, "tolist"):
        values = values.tolist()
    return list(values)


def _flat_numbers(values: Any, out: List[float]) -> None:
    for v in values:
        if isinstance(v, (list, tuple)):
            _flat_numbers(v, out)
        elif isinstance(v, numbers.Real) and not isinstance(v, bool):
            out.append(float(v))
        else:
            raise OrreryValueError("histogram", f"orrery: Histogram values must be numbers, got {describe(v)}")


def _bin(sequence: Any, num_bins: int):
    np_hist = _numpy_bin(sequence, num_bins)
    if np_hist is not None:
        return np_hist
    values: List[float] = []
    _flat_numbers(_to_list(sequence), values)
    finite = [v for v in values if math.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if lo == hi:  # numpy's convention for a single value
        lo, hi = lo - 0.5, hi + 0.5
    width = (hi - lo) / num_bins
    bins = [lo + i * width for i in range(num_bins)] + [hi]
    counts = [0.0] * num_bins
    last = num_bins - 1
    for v in finite:
        i = int((v - lo) / width)
        counts[i if i < last else last] += 1
    return bins, counts


def _numpy_bin(sequence: Any, num_bins: int):
    """numpy.histogram for arrays and tensors (fast); None for plain Python sequences."""
    if type(sequence).__module__.split(".")[0] not in ("numpy", "torch"):
        return None
    import numpy as np  # only reached for NumPy arrays or tensors

    if hasattr(sequence, "detach"):
        sequence = sequence.detach().cpu().float().numpy()
    arr = np.asarray(sequence, dtype=np.float64).ravel()
    arr = arr[np.isfinite(arr)]
    lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 1.0)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, bins = np.histogram(arr, bins=num_bins, range=(lo, hi))
    return bins.tolist(), counts.astype(np.float64).tolist()


TABLE_COLUMN_TYPES = ("number", "string", "bool", "class", "image")
MAX_TABLE_ROWS = 100_000
MAX_TABLE_COLUMNS = 1_000


class Table:
    """A table of values (like wandb.Table): example predictions, say.

    `run.log({"preds": Table(...)})` sends it as a table record of the step (paged, sorted, filtered
    and compared across runs in the dashboard; at most 100,000 rows and 8 MiB of JSON). Put in the
    summary (`run.summary["confusion"] = Table(...)`) it is stored there as
    {"_type": "table", "columns": [...], "data": [[...]]}, as before.

    Columns hold numbers, text, booleans, class labels or images (orrery.Image, or
    {"format", "data" (base64), "width", "height"} dicts). Types are inferred from the first
    non-empty cell; say `column_types={"pred": "class"}` for class columns (integer ids or label
    strings), with `classes={0: "cat", 1: "dog"}` naming the ids.
    """

    def __init__(self, columns: Optional[Sequence[Any]] = None, data: Optional[Sequence[Sequence[Any]]] = None,
                 rows: Optional[Sequence[Sequence[Any]]] = None, dataframe: Any = None,
                 classes: Optional[Dict[Any, Any]] = None, column_types: Optional[Dict[str, str]] = None, **_ignored: Any):
        if dataframe is not None:
            # pandas stays optional: a DataFrame is read through its own attributes, never imported.
            columns = [str(c) for c in dataframe.columns]
            data = dataframe.values.tolist()
        data = data if data is not None else rows
        self.data: List[List[Any]] = [list(r) for r in _to_list(data)] if data is not None else []
        if columns is None:
            width = len(self.data[0]) if self.data else 0
            columns = [f"col{i}" for i in range(width)]
        self.columns: List[str] = [str(c) for c in columns]
        for i, r in enumerate(self.data):
            if len(r) != len(self.columns):
                raise OrreryValueError("table", f"orrery: Table row {i} has {len(r)} cells but there are {len(self.columns)} columns")
        self.classes: Optional[Dict[str, str]] = None
        if classes is not None:
            if not isinstance(classes, dict):
                raise OrreryValueError("table", f"orrery: Table classes must be a dict {{id: label}}, got {describe(classes)}")
            self.classes = {str(int(k)): str(v) for k, v in classes.items()}
        self.column_types: Dict[str, str] = {}
        for name, t in (column_types or {}).items():
            if t not in TABLE_COLUMN_TYPES:
                raise OrreryValueError("table", f"orrery: Table column_types[{name!r}] must be one of {', '.join(TABLE_COLUMN_TYPES)}, got {describe(t)}")
            if str(name) not in self.columns:
                raise OrreryValueError("table", f"orrery: Table column_types names {name!r}, which is not a column ({', '.join(self.columns)})")
            self.column_types[str(name)] = t

    def add_data(self, *row: Any) -> None:
        if len(row) != len(self.columns):
            raise OrreryValueError("table", f"orrery: Table.add_data got {len(row)} cells but there are {len(self.columns)} columns")
        self.data.append(list(row))

    def to_json(self) -> dict:
        """The summary form (what run.summary stores)."""
        return {"_type": "table", "columns": list(self.columns), "data": to_json(self.data, "table")}

    def to_record_value(self) -> dict:
        """The wire Table a table record carries; raises OrreryValueError naming the row and column of a bad cell."""
        if not self.columns or len(self.columns) > MAX_TABLE_COLUMNS:
            raise OrreryValueError("table", f"orrery: Table needs 1 to {MAX_TABLE_COLUMNS} columns, has {len(self.columns)}")
        if len(set(self.columns)) != len(self.columns):
            raise OrreryValueError("table", f"orrery: Table column names must be unique: {', '.join(self.columns)}")
        if len(self.data) > MAX_TABLE_ROWS:
            raise OrreryValueError("table", f"orrery: Table has {len(self.data):,} rows; the limit is {MAX_TABLE_ROWS:,}: log a sample, or split it over several keys")
        types = [self.column_types.get(c) or _infer_type(c, [r[i] for r in self.data]) for i, c in enumerate(self.columns)]
        convert = [_CELL[t] for t in types]
        out_rows = []
        for r, row in enumerate(self.data):
            out = []
            for c, cell in enumerate(row):
                try:
                    out.append(None if cell is None else convert[c](cell))
                except (TypeError, ValueError) as err:
                    raise OrreryValueError("table", f"orrery: Table row {r}, column {self.columns[c]!r} ({types[c]}): {err}") from None
            out_rows.append(out)
        value = {"columns": [{"name": n, "type": t} for n, t in zip(self.columns, types)], "rows": out_rows}
        if self.classes is not None:
            value["classes"] = self.classes
        return value

    def __repr__(self) -> str:
        return f"Table({len(self.columns)} columns, {len(self.data)} rows)"


def _is_image(v: Any) -> bool:
    if isinstance(v, dict):
        return "format" in v and "data" in v
    return type(v).__name__ == "Image" or (hasattr(v, "mode") and hasattr(v, "size") and hasattr(v, "save"))


def _infer_type(name: str, cells: List[Any]) -> str:
    for v in cells:
        if v is None:
            continue
        if isinstance(v, bool) or type(v).__name__ == "bool_":
            return "bool"
        if isinstance(v, numbers.Real):
            return "number"
        if isinstance(v, str):
            return "string"
        if _is_image(v):
            return "image"
        if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:  # 0-d arrays, tensors
            return _infer_type(name, [v.item()])
        raise OrreryValueError("table", f"orrery: Table column {name!r} holds {describe(v)}; cells are numbers, text, booleans, orrery.Image or None")
    return "string"


def _number_cell(v: Any):
    if hasattr(v, "item") and not isinstance(v, numbers.Real):
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"must be a number, got {describe(v)}")
    if isinstance(v, numbers.Integral):
        return int(v)
    return metric_json(float(v))


def _string_cell(v: Any):
    if not isinstance(v, str):
        raise TypeError(f"must be text, got {describe(v)}: convert it with str()")
    return v


def _bool_cell(v: Any):
    if type(v).__name__ == "bool_":
        v = bool(v)
    if not isinstance(v, bool):
        raise TypeError(f"must be True or False, got {describe(v)}")
    return v


def _class_cell(v: Any):
    if hasattr(v, "item") and not isinstance(v, (numbers.Real, str)):
        v = v.item()
    if isinstance(v, str):
        return v
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, numbers.Real) and float(v).is_integer():
        return int(v)
    raise TypeError(f"must be an integer class id or a label string, got {describe(v)}")


def _image_cell(v: Any):
    if not isinstance(v, dict):
        wire = getattr(v, "to_json", None)
        if wire is None:
            from ._image import Image  # arrays, PIL images and tensors go through it (imported late: _image imports this module)
            v = Image(v)
            wire = v.to_json
        v = wire()
    cell = {k: v.get(k) for k in ("format", "data", "width", "height")}
    if cell["format"] not in ("png", "jpeg") or not isinstance(cell["data"], str):
        raise TypeError("must be an image with format \"png\" or \"jpeg\" and base64 data")
    return cell


_CELL = {"number": _number_cell, "string": _string_cell, "bool": _bool_cell, "class": _class_cell, "image": _image_cell}


def to_json(value: Any, what: str) -> Any:
    """Plain JSON for a config or summary value (see the header for the conversions)."""
    return _convert(value, what, 0)


def to_json_object(values: Any, what: str) -> Dict[str, Any]:
    """A config or summary mapping (dict, argparse.Namespace, object with __dict__) as plain JSON."""
    mapping = as_mapping(values, what)
    out: Dict[str, Any] = {}
    for k, v in mapping.items():
        check_key(k, what)
        out[k] = _convert(v, k, 1)
    return out


def as_mapping(values: Any, what: str) -> dict:
    if values is None:
        return {}
    if isinstance(values, dict):
        return values
    if hasattr(values, "keys") and hasattr(values, "__getitem__"):
        return {k: values[k] for k in values.keys()}
    if hasattr(values, "__dict__") and not isinstance(values, type):
        return {k: v for k, v in vars(values).items() if not k.startswith("_")}
    raise OrreryValueError(what, f"orrery: {what} must be a dict (or argparse.Namespace, or an object with attributes), got {describe(values)}")


def _convert(value: Any, path: str, depth: int) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return metric_json(value)
    if depth > MAX_DEPTH:
        raise OrreryValueError(path, f"orrery: {path} is nested more than {MAX_DEPTH} levels deep (or refers back to itself)")
    if isinstance(value, (Table, Histogram)):
        return value.to_json()
    if isinstance(value, dict):
        return {_json_key(k): _convert(v, f"{path}.{k}", depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_convert(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        items = [_convert(v, path, depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, enum.Enum):
        return _convert(value.value, path, depth + 1)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return metric_json(float(value))
    if hasattr(value, "tolist"):  # NumPy arrays and scalars, PyTorch tensors
        target = value.detach().cpu() if hasattr(value, "detach") else value
        return _convert(target.tolist(), path, depth + 1)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _convert({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, path, depth + 1)
    if hasattr(value, "keys") and hasattr(value, "__getitem__"):
        return _convert({k: value[k] for k in value.keys()}, path, depth + 1)
    # What W&B does with anything else: keep its text.
    return str(value)


def _json_key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, enum.Enum):
        return str(k.value)
    return str(k)
