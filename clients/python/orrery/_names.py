# Owns run ids, friendly run names and the default entity, as the TypeScript SDK makes them. Ids
# use the secrets module because two machines in one sweep must not collide; names only need to
# be pleasant to read.
from __future__ import annotations

import getpass
import os
import re
import secrets

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"

_ADJECTIVES = [
    "amber", "ancient", "bold", "brisk", "calm", "celestial", "clever", "cosmic", "crimson", "dapper",
    "daring", "dawn", "dusky", "eager", "electric", "fancy", "fiery", "floral", "fragrant", "gentle",
    "glad", "golden", "graceful", "hardy", "hearty", "honest", "icy", "jolly", "keen", "lively",
    "lucky", "lunar", "misty", "noble", "polar", "proud", "quiet", "radiant", "rapid", "robust",
    "rosy", "royal", "serene", "silver", "smooth", "solar", "spry", "stellar", "sunny", "swift",
    "tidy", "vivid", "warm", "wild", "wise", "woven", "young", "zesty",
]
_NOUNS = [
    "aurora", "breeze", "brook", "canyon", "cloud", "comet", "cosmos", "dawn", "delta", "dune",
    "eclipse", "ember", "field", "firefly", "flower", "forest", "frost", "galaxy", "glade", "grove",
    "harbor", "haze", "horizon", "lake", "leaf", "meadow", "meteor", "moon", "mountain", "nebula",
    "night", "oasis", "ocean", "orbit", "pine", "planet", "pond", "prairie", "pulsar", "quasar",
    "rain", "river", "shadow", "sky", "snow", "sound", "star", "stone", "sun", "thunder",
    "tide", "valley", "violet", "water", "wave", "wind", "wood",
]


def random_run_id(length: int = 8) -> str:
    """8 random base36 characters: about 41 bits, plenty for the runs of one project."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def friendly_name() -> str:
    """"adjective-noun-N", like W&B's generated names."""
    return f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-{secrets.randbelow(999) + 1}"


def sanitize_name(raw: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", raw).strip("-")[:128]
    return cleaned or "user"


def default_entity() -> str:
    try:
        name = getpass.getuser()
    except Exception:  # containers without a passwd entry
        name = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    return sanitize_name(name)
