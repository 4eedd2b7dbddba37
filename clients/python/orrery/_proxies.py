# Owns run.config and run.summary as W&B users know them: attribute and item access, update(),
# dict-like reading. Every write is handed to the run as a record at once; the objects only keep
# the values set through them, for reading back. The summary does not see values logged with
# log(): the server computes those, so reading them back needs the API, not this object.
from __future__ import annotations

from typing import Any, Callable, Dict, Iterator

from ._values import as_mapping, check_key, to_json_object


class _Values:
    """The read side both objects share: dict-like access to the values set through them."""

    def __init__(self, values: Dict[str, Any], write: Callable[[Dict[str, Any]], None]):
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_write", write)

    def update(self, d: Any = None, **kwargs: Any) -> None:
        raise NotImplementedError("Config and Summary each say how a write is recorded")

    def as_dict(self) -> Dict[str, Any]:
        return dict(self._values)

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def keys(self):
        return self._values.keys()

    def values(self):
        return self._values.values()

    def items(self):
        return self._values.items()

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __setattr__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._values!r})"


class Config(_Values):
    """Hyperparameters: `config.lr`, `config["lr"]`, `config.update({...})`; values are stored as JSON."""

    def update(self, d: Any = None, allow_val_change: Any = None, **kwargs: Any) -> None:
        """Sets top-level keys from a dict, argparse.Namespace or object (a nested value replaces the whole key)."""
        values = dict(as_mapping(d, "config"))
        values.update(kwargs)
        clean = to_json_object(values, "config")
        if clean:
            self._write(clean)
            self._values.update(clean)

    def setdefaults(self, d: Any) -> None:
        """Sets only the keys that are not set yet (wandb.config.setdefaults)."""
        self.update({k: v for k, v in as_mapping(d, "config").items() if k not in self._values})

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"config has no key {key!r}") from None

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})


class Summary(_Values):
    """Final values shown for the run: `summary["best/acc"] = 0.97` wins over the automatic last value."""

    def __init__(self, write: Callable[[Dict[str, Any]], None]):
        super().__init__({}, write)

    def update(self, d: Any = None, **kwargs: Any) -> None:
        values = dict(as_mapping(d, "summary"))
        values.update(kwargs)
        clean = to_json_object(values, "summary")
        if clean:
            self._write(clean)
            for k, v in clean.items():
                if v is None:
                    self._values.pop(k, None)
                else:
                    self._values[k] = v

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({check_key(key, "summary"): value})

    def __delitem__(self, key: str) -> None:
        """Removes the override, so the automatic summary of that metric shows again."""
        self.update({check_key(key, "summary"): None})

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"summary has no key {key!r} set in this process") from None
