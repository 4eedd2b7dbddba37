# The public API of the `orrery` Python package, shaped like wandb's so that `import orrery as
# wandb` keeps a W&B script working: init() returns a Run; log, finish, define_metric, watch act on
# the current run; config, summary and run are module-level, like wandb.config, wandb.summary and
# wandb.run. Artifact, log_artifact and use_artifact are W&B's artifacts (_artifacts.py,
# _artifact_io.py). Everything in modules starting with "_" is internal.
from __future__ import annotations

from typing import Any, Optional

from ._artifacts import Artifact
from ._proxies import Config, Summary
from ._run import DisabledRun, FinishResult, Run
from ._settings import resolve_settings
from ._values import Histogram, OrreryError, OrreryValueError, Table
from ._image import Image
from ._version import __version__

__all__ = [
    "init", "log", "finish", "define_metric", "watch", "unwatch", "sync", "agent", "run", "config", "summary",
    "Run", "Histogram", "Image", "Table", "FinishResult", "OrreryError", "OrreryValueError", "Error", "__version__",
    "Artifact", "log_artifact", "use_artifact",
]

Error = OrreryError  # wandb.Error

#: The current run (the last one started and not finished), or None; like wandb.run.
run: Optional[Any] = None

# W&B init arguments we accept and ignore (see the README).
_IGNORED_INIT_ARGS = frozenset((
    "reinit", "settings", "anonymous", "save_code", "sync_tensorboard", "monitor_gym", "magic", "allow_val_change",
    "force", "fork_from", "resume_from", "tensorboard",
))


def init(project: Optional[str] = None, name: Optional[str] = None, config: Any = None, group: Optional[str] = None,
         job_type: Optional[str] = None, tags: Any = None, notes: Optional[str] = None, mode: Optional[str] = None,
         dir: Any = None, resume: Any = None, *, entity: Optional[str] = None, id: Optional[str] = None,
         config_exclude_keys: Any = None, config_include_keys: Any = None, url: Optional[str] = None,
         api_key: Optional[str] = None, console: bool = True, system_metrics_interval: float = 15.0,
         heartbeat_interval: float = 10.0, finish_timeout: float = 30.0, **kwargs: Any) -> Any:
    """Starts a run and makes it the current one (orrery.run). Arguments fall back to ORRERY_*
    environment variables, then to defaults. Returns once the run record is in the local spool; the
    server is contacted in the background. A run that is still active is finished first, unless
    reinit="return_previous" (or reinit=False), which returns it instead; reinit="create_new"
    keeps it running beside the new one.

    resume: None, False, "never", "allow", "auto" and True start a new run; "must" raises
    OrreryError (resuming a run from a new process is not supported yet).
    """
    global run
    unknown = sorted(set(kwargs) - _IGNORED_INIT_ARGS)
    if unknown:
        raise TypeError(f"orrery.init() got unexpected keyword argument(s): {', '.join(unknown)}")
    reinit = kwargs.get("reinit")
    if run is not None:
        if reinit in (False, "return_previous"):
            return run
        if reinit != "create_new":
            run.finish()
    settings = resolve_settings(
        project=project, entity=entity, id=id, name=name, group=group, job_type=job_type, tags=tags, notes=notes,
        config=config, config_exclude_keys=config_exclude_keys, config_include_keys=config_include_keys, mode=mode,
        dir=dir, url=url, api_key=api_key, console=console, system_metrics_interval=system_metrics_interval,
        heartbeat_interval=heartbeat_interval, finish_timeout=finish_timeout, resume=resume,
    )
    cls = DisabledRun if settings.mode == "disabled" else Run
    new_run = cls(settings, on_finish=_forget)
    run = new_run
    return new_run


def _forget(finished: Any) -> None:
    global run
    if run is finished:
        run = None


def _current(call: str) -> Any:
    if run is None:
        raise OrreryError(f"orrery: call orrery.init() before orrery.{call}()")
    return run


def log(data: Any, step: Optional[int] = None, commit: Optional[bool] = None, sync: Any = None) -> None:
    """run.log() on the current run: log({"loss": 0.3}); see Run.log."""
    r = run
    if r is None:
        _current("log")
    r.log(data, step, commit)


def finish(exit_code: Optional[int] = None, quiet: Any = None) -> Optional[FinishResult]:
    """Finishes the current run (no-op without one); see Run.finish."""
    r = run
    return r.finish(exit_code=exit_code, quiet=quiet) if r is not None else None


def define_metric(name: str, step_metric: Any = None, step_sync: Any = None, hidden: Any = None,
                  summary: Optional[str] = None, goal: Optional[str] = None, overwrite: Any = None) -> None:
    """Chooses the summary aggregate of a metric: "min", "max", "mean", "last", "none", or "best" with goal."""
    _current("define_metric").define_metric(name, step_metric=step_metric, summary=summary, goal=goal)


def watch(models: Any, criterion: Any = None, log: Optional[str] = "gradients", log_freq: int = 100,
          idx: Any = None, log_graph: bool = False) -> Any:
    """Logs histograms of a PyTorch model's gradients and/or parameters every log_freq steps."""
    return _current("watch").watch(models, log=log, log_freq=log_freq)


def unwatch(models: Any = None) -> None:
    if run is not None:
        run.unwatch(models)


def log_artifact(artifact_or_path: Any, name: Optional[str] = None, type: Optional[str] = None,
                 aliases: Any = None, tags: Any = None) -> Artifact:
    """run.log_artifact() on the current run: uploads in the background and returns the Artifact."""
    return _current("log_artifact").log_artifact(artifact_or_path, name=name, type=type, aliases=aliases, tags=tags)


def use_artifact(artifact_or_name: Any, type: Optional[str] = None, aliases: Any = None, use_as: Any = None) -> Artifact:
    """run.use_artifact() on the current run: use_artifact("dataset:latest").download()."""
    return _current("use_artifact").use_artifact(artifact_or_name, type=type, aliases=aliases, use_as=use_as)


def sync(path: Optional[str] = None, url: Optional[str] = None, api_key: Optional[str] = None) -> list:
    """Uploads spools recorded offline or left unsent (what `orrery sync` does); returns a report per run."""
    from ._sync import sync_dir

    return sync_dir(path, url=url, api_key=api_key)


def agent(sweep_id: str, function: Any = None, count: Optional[int] = None, project: Optional[str] = None,
          entity: Optional[str] = None, *, url: Optional[str] = None, api_key: Optional[str] = None,
          heartbeat_interval: float = 5.0) -> dict:
    """Runs trials of a sweep, like wandb.agent(sweep_id, function=train, count=N). Each trial calls
    function() in this process; orrery.init() inside it picks up the trial's run id and parameters
    (orrery.config holds them), and a run it leaves open is finished for it. Without a function, the
    sweep's command runs as a subprocess. Returns {"runs", "failed", "reason"} once the sweep says
    stop or count trials have run."""
    from ._agent import run_agent

    return run_agent(sweep_id, function, count=count, project=project, entity=entity, url=url, api_key=api_key,
                     heartbeat_interval=heartbeat_interval, current_run=lambda: run)


class _ModuleConfig(Config):
    """orrery.config: the current run's config (empty, and read-only, before init)."""

    def __init__(self) -> None:
        pass

    def __getattribute__(self, key: str) -> Any:
        target = run.config if run is not None else _EMPTY_CONFIG
        return getattr(target, key)

    def __setattr__(self, key: str, value: Any) -> None:
        _current("config.update").config.update({key: value})

    def __getitem__(self, key: str) -> Any:
        return (run.config if run is not None else _EMPTY_CONFIG)[key]

    def __setitem__(self, key: str, value: Any) -> None:
        _current("config.update").config.update({key: value})

    def __contains__(self, key: object) -> bool:
        return key in (run.config if run is not None else _EMPTY_CONFIG)

    def __iter__(self):
        return iter(run.config if run is not None else _EMPTY_CONFIG)

    def __len__(self) -> int:
        return len(run.config if run is not None else _EMPTY_CONFIG)

    def __repr__(self) -> str:
        return repr(run.config if run is not None else _EMPTY_CONFIG)


class _ModuleSummary(Summary):
    """orrery.summary: the current run's summary."""

    def __init__(self) -> None:
        pass

    def __getattribute__(self, key: str) -> Any:
        return getattr(_current("summary").summary, key)

    def __setattr__(self, key: str, value: Any) -> None:
        _current("summary").summary.update({key: value})

    def __getitem__(self, key: str) -> Any:
        return _current("summary").summary[key]

    def __setitem__(self, key: str, value: Any) -> None:
        _current("summary").summary[key] = value

    def __delitem__(self, key: str) -> None:
        del _current("summary").summary[key]

    def __contains__(self, key: object) -> bool:
        return run is not None and key in run.summary

    def __iter__(self):
        return iter(run.summary if run is not None else ())

    def __len__(self) -> int:
        return len(run.summary) if run is not None else 0

    def __repr__(self) -> str:
        return repr(run.summary) if run is not None else "Summary({})"


def _refuse_write(values: Any) -> None:
    raise OrreryError("orrery: call orrery.init() before orrery.config.update()")


_EMPTY_CONFIG = Config({}, _refuse_write)
config: Config = _ModuleConfig()
summary: Summary = _ModuleSummary()
