# Owns init options: their defaults from the environment (the TypeScript SDK's variables) and their
# validation. Everything downstream gets a checked Settings object and never reads os.environ.
# Precedence: an explicit argument wins over the environment, which wins over the default.
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from ._names import default_entity, friendly_name, random_run_id
from ._values import describe, option_error, to_json_object

DEFAULT_URL = "http://127.0.0.1:5170"
MODES = ("online", "offline", "disabled")
# W&B spellings of the same modes.
_MODE_ALIASES = {"dryrun": "offline", "run": "online"}
_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_RUN_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
RESERVED_RUN_IDS = ("groups", "keys", "values", "importance")
RESUME_VALUES = (None, False, True, "allow", "never", "auto", "must")


@dataclass
class Settings:
    mode: str
    entity: str
    project: str
    run_id: str
    name: str
    group: Optional[str]
    job_type: Optional[str]
    tags: Optional[List[str]]
    notes: Optional[str]
    config: Dict[str, Any]
    dir: str
    url: str
    api_key: Optional[str]
    console: bool = True
    system_metrics_interval: float = 15.0
    heartbeat_interval: float = 10.0
    finish_timeout: float = 30.0
    resume: Any = None
    extra: Dict[str, Any] = field(default_factory=dict)
    # The sweep this run is a trial of ($ORRERY_SWEEP_ID, set by an agent); recorded as metadata.sweep.
    sweep_id: Optional[str] = None


def resolve_settings(
    *, project=None, entity=None, id=None, name=None, group=None, job_type=None, tags=None, notes=None,
    config=None, config_exclude_keys=None, config_include_keys=None, mode=None, dir=None, url=None,
    api_key=None, console=True, system_metrics_interval=15.0, heartbeat_interval=10.0, finish_timeout=30.0,
    resume=None, env: Optional[Mapping[str, str]] = None,
) -> Settings:
    env = os.environ if env is None else env
    picked_mode = _pick_mode(mode, env.get("ORRERY_MODE"))
    ent, proj = _pick_project(project, entity, env)
    # A sweep agent names the run it was assigned through ORRERY_RUN_ID; an explicit id still wins.
    run_id = id if id is not None else (env.get("ORRERY_RUN_ID") or random_run_id())
    if not isinstance(run_id, str) or not _RUN_ID_RE.match(run_id):
        raise option_error("id" if id is not None else "ORRERY_RUN_ID", f"must match ^[A-Za-z0-9_-]{{1,64}}$ (letters, digits, \"_\" and \"-\", up to 64), got {describe(run_id)}")
    if run_id in RESERVED_RUN_IDS:
        raise option_error("id", f"'{run_id}' is reserved (it names a route); choose another id")
    if resume not in RESUME_VALUES:
        raise option_error("resume", f"must be one of None, \"allow\", \"never\", \"auto\", \"must\", True or False, got {describe(resume)}")
    if resume == "must":
        raise option_error(
            "resume",
            "is \"must\", but resuming a run from a new process is not supported yet: start a new run (leave resume out), "
            "or upload a run that was interrupted with `orrery sync`",
        )
    cfg = to_json_object(config, "config")
    if config_include_keys is not None:
        cfg = {k: v for k, v in cfg.items() if k in set(config_include_keys)}
    if config_exclude_keys is not None:
        cfg = {k: v for k, v in cfg.items() if k not in set(config_exclude_keys)}
    cfg = _with_sweep_params(cfg, env.get("ORRERY_SWEEP_PARAMS"))
    return Settings(
        mode=picked_mode,
        entity=ent,
        project=proj,
        run_id=run_id,
        name=_optional_text("name", name, 256) or friendly_name(),
        group=_optional_text("group", group, 256),
        job_type=_optional_text("job_type", job_type, 256),
        tags=_pick_tags(tags),
        notes=_optional_text("notes", notes, 65536),
        config=cfg,
        dir=os.path.abspath(_pick_string("dir", os.fspath(dir) if dir is not None else None, env.get("ORRERY_DIR")) or "./orrery"),
        url=_pick_url(url, env.get("ORRERY_URL")),
        api_key=_pick_string("api_key", api_key, env.get("ORRERY_API_KEY")),
        console=_pick_bool("console", console),
        system_metrics_interval=_pick_seconds("system_metrics_interval", system_metrics_interval, True),
        heartbeat_interval=_pick_seconds("heartbeat_interval", heartbeat_interval, False),
        finish_timeout=_pick_seconds("finish_timeout", finish_timeout, True),
        resume=resume,
        sweep_id=env.get("ORRERY_SWEEP_ID") or None,
    )


def _with_sweep_params(cfg: Dict[str, Any], raw: Optional[str]) -> Dict[str, Any]:
    """Merges the sweep's parameters (JSON in ORRERY_SWEEP_PARAMS) into the config: the sweep wins,
    and nested dicts merge key by key, as W&B does."""
    if not raw:
        return cfg
    try:
        params = json.loads(raw)
    except ValueError:
        params = None
    if not isinstance(params, dict):
        raise option_error("ORRERY_SWEEP_PARAMS", f"must be a JSON object (it is set by `orrery agent`), got {raw[:80]!r}")
    return _deep_merge(cfg, to_json_object(params, "ORRERY_SWEEP_PARAMS"))


def _deep_merge(base: Dict[str, Any], over: Dict[str, Any]) -> Dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        b = out.get(k)
        out[k] = _deep_merge(b, v) if isinstance(b, dict) and isinstance(v, dict) else v
    return out


def _pick_mode(option: Any, from_env: Optional[str]) -> str:
    raw = option if option is not None else (from_env or "online")
    raw = _MODE_ALIASES.get(raw, raw) if isinstance(raw, str) else raw
    if raw not in MODES:
        source = "mode" if option is not None else "ORRERY_MODE"
        raise option_error(source, f"must be one of {', '.join(MODES)}, got {describe(raw)}")
    return raw


def _pick_project(project: Any, entity: Any, env: Mapping[str, str]):
    raw = project if project is not None else (env.get("ORRERY_PROJECT") or "uncategorized")
    source = "project" if project is not None else "ORRERY_PROJECT"
    if not isinstance(raw, str):
        raise option_error(source, f"must be \"entity/project\" or \"project\", got {describe(raw)}")
    parts = raw.split("/")
    if len(parts) > 2:
        raise option_error(source, f"must be \"entity/project\" or \"project\", got {raw!r}")
    proj = parts[-1]
    ent = parts[0] if len(parts) == 2 else None
    if ent is not None and entity is not None and entity != ent:
        raise option_error("entity", f"is {entity!r} but project names entity {ent!r}: give it once")
    if ent is None:
        ent = entity if entity is not None else (env.get("ORRERY_ENTITY") or default_entity())
    if not _NAME_RE.match(proj):
        raise option_error(source, f"project name must match ^[A-Za-z0-9_.-]{{1,128}}$ (letters, digits, \"_\", \".\" and \"-\"), got {proj!r}")
    if not isinstance(ent, str) or not _NAME_RE.match(ent):
        raise option_error("entity", f"must match ^[A-Za-z0-9_.-]{{1,128}}$ (letters, digits, \"_\", \".\" and \"-\"), got {describe(ent)}")
    return ent, proj


def _pick_tags(tags: Any) -> Optional[List[str]]:
    if tags is None:
        return None
    if isinstance(tags, str) or not hasattr(tags, "__iter__"):
        raise option_error("tags", f"must be a list of strings, got {describe(tags)}")
    out = list(tags)
    if len(out) > 256:
        raise option_error("tags", f"has {len(out)} tags; the limit is 256")
    for t in out:
        if not isinstance(t, str) or not 1 <= len(t) <= 128:
            raise option_error("tags", f"must hold strings of 1 to 128 characters, got {describe(t)}")
    return out


def _optional_text(option: str, value: Any, limit: int) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise option_error(option, f"must be a string, got {describe(value)}")
    if len(value) > limit:
        raise option_error(option, f"is {len(value)} characters; the limit is {limit}")
    return value


def _pick_string(option: str, value: Any, from_env: Optional[str]) -> Optional[str]:
    if value is not None:
        if not isinstance(value, str) or not value:
            raise option_error(option, f"must be a non-empty string, got {describe(value)}")
        return value
    return from_env or None


def _pick_url(option: Any, from_env: Optional[str]) -> str:
    raw = _pick_string("url", option, from_env) or DEFAULT_URL
    source = "url" if option is not None else "ORRERY_URL"
    if not re.match(r"^https?://[^/\s]+", raw):
        raise option_error(source, f"must be an http(s) URL such as {DEFAULT_URL}, got {raw!r}")
    return raw.rstrip("/")


def _pick_bool(option: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise option_error(option, f"must be True or False, got {describe(value)}")
    return value


def _pick_seconds(option: str, value: Any, zero_allowed: bool) -> float:
    low = 0 if zero_allowed else 0.001
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= 2_147_483:
        raise option_error(option, f"must be a number of seconds >= {low}, got {describe(value)}")
    return float(value)


def resolve_server(url: Optional[str] = None, api_key: Optional[str] = None, env: Optional[Mapping[str, str]] = None):
    """Server URL and API key for tools without init options (sync)."""
    env = os.environ if env is None else env
    return _pick_url(url, env.get("ORRERY_URL")), _pick_string("api_key", api_key, env.get("ORRERY_API_KEY"))
