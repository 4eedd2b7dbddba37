# Owns orrery.watch(model): PyTorch hooks that histogram each parameter's gradient
# ("gradients/<name>") on every log_freq-th backward pass (the first included) and each parameter
# ("parameters/<name>") on every log_freq-th forward pass in training mode. Histograms are computed
# with torch.histc where the tensor lives (only 64 counts cross to the CPU) and wait in the run
# until its next log() call, which writes them at that call's step, as W&B does. torch is imported
# only here, so importing orrery never imports it.
from __future__ import annotations

from typing import Any, Dict, List, Optional

from ._values import DEFAULT_BINS, Histogram, OrreryValueError, describe

LOG_MODES = ("gradients", "parameters", "all", None)


class _Watch:
    def __init__(self, run: Any, model: Any, log: Optional[str], log_freq: int):
        self.model = model
        self._run = run
        self._log_freq = log_freq
        self._handles: List[Any] = []
        self._forward_calls = 0
        if log in ("gradients", "all"):
            for name, p in model.named_parameters():
                if p.requires_grad:
                    self._handles.append(p.register_hook(self._grad_hook(name)))
        if log in ("parameters", "all"):
            self._handles.append(model.register_forward_hook(self._forward_hook))

    def remove(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []
        try:
            self._run._watches.remove(self)
        except ValueError:
            pass

    def _grad_hook(self, name: str):
        calls = [0]
        key = f"gradients/{name}"

        def hook(grad: Any) -> None:
            n = calls[0]
            calls[0] = n + 1
            if n % self._log_freq == 0:
                h = tensor_histogram(grad)
                if h is not None:
                    self._run._add_pending_histograms({key: h})
            return None

        return hook

    def _forward_hook(self, module: Any, inputs: Any, output: Any) -> None:
        if not module.training:
            return
        n = self._forward_calls
        self._forward_calls = n + 1
        if n % self._log_freq != 0:
            return
        hists: Dict[str, Histogram] = {}
        for name, p in module.named_parameters():
            h = tensor_histogram(p)
            if h is not None:
                hists[f"parameters/{name}"] = h
        if hists:
            self._run._add_pending_histograms(hists)


def tensor_histogram(t: Any, bins: int = DEFAULT_BINS) -> Optional[Histogram]:
    """A Histogram of a tensor's finite values, or None when it has none."""
    import torch

    with torch.no_grad():
        flat = t.detach().reshape(-1)
        if flat.numel() == 0:
            return None
        if flat.is_complex():
            flat = flat.abs()
        flat = flat.float()
        finite = torch.isfinite(flat)
        if not bool(finite.all()):
            flat = flat[finite]
            if flat.numel() == 0:
                return None
        lo, hi = float(flat.min()), float(flat.max())
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        counts = torch.histc(flat, bins=bins, min=lo, max=hi).cpu().tolist()
    width = (hi - lo) / bins
    edges = [lo + i * width for i in range(bins)] + [hi]
    return Histogram.from_bins(edges, counts)


def watch(run: Any, models: Any, log: Optional[str] = "gradients", log_freq: int = 100) -> List[_Watch]:
    if log not in LOG_MODES:
        raise OrreryValueError("log", f"orrery: watch() log must be \"gradients\", \"parameters\", \"all\" or None, got {describe(log)}")
    if isinstance(log_freq, bool) or not isinstance(log_freq, int) or log_freq < 1:
        raise OrreryValueError("log_freq", f"orrery: watch() log_freq must be an integer >= 1, got {describe(log_freq)}")
    import torch  # noqa: F401  (a clear ImportError when PyTorch is missing)

    model_list = list(models) if isinstance(models, (list, tuple)) else [models]
    watches = []
    for m in model_list:
        if not hasattr(m, "named_parameters") or not hasattr(m, "register_forward_hook"):
            raise OrreryValueError("models", f"orrery: watch() takes a torch.nn.Module (or a list of them), got {describe(m)}")
        w = _Watch(run, m, log, log_freq)
        run._watches.append(w)
        watches.append(w)
    return watches


def unwatch(run: Any, models: Any = None) -> None:
    targets = None if models is None else (list(models) if isinstance(models, (list, tuple)) else [models])
    for w in list(run._watches):
        if targets is None or any(w.model is m for m in targets):
            w.remove()
