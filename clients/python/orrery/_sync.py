# Owns `python -m orrery sync`: find run spools under a folder and upload what the server has not
# acknowledged, with the same Sender a training process uses (the TypeScript `orrery sync` does the
# same with its own). Safe to repeat: acknowledged frames are skipped by ack.json, and anything
# resent anyway is dropped by the server by seq.
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from ._console import warn
from ._sender import Sender, SyncError
from ._settings import resolve_server
from ._spool import SPOOL_FILE


def find_spools(path: str) -> List[str]:
    """`path` itself when it is a run folder, else its run folders in name (= time) order."""
    if not os.path.exists(path):
        raise SyncError("not_found", f"orrery sync: {path} does not exist; pass a run folder or the folder holding them (default ./orrery)")
    if os.path.exists(os.path.join(path, SPOOL_FILE)):
        return [path]
    out = []
    for name in sorted(os.listdir(path)):
        d = os.path.join(path, name)
        if os.path.isdir(d) and os.path.exists(os.path.join(d, SPOOL_FILE)):
            out.append(d)
    return out


def sync_dir(path: Optional[str] = None, url: Optional[str] = None, api_key: Optional[str] = None,
             give_up_after: float = 60.0) -> List[Dict[str, Any]]:
    """Uploads every run spool in `path`; one report per run. Raises SyncError when the server is
    unreachable or refuses the key; a run whose records are refused is reported with `error`."""
    server, key = resolve_server(url, api_key)
    root = os.path.abspath(path or os.environ.get("ORRERY_DIR") or "./orrery")
    reports = []
    for d in find_spools(root):
        try:
            sender = Sender(d, server, key, mode="sync", give_up_after=give_up_after)
        except Exception as err:
            warn(f"skipping {d}: {err}")
            continue
        error = None
        try:
            sender.send_all()
        except SyncError as err:
            if err.code in ("unavailable", "unauthorized"):
                raise
            error = str(err)
        finally:
            sender.stop()
        problem = sender.problem
        report = {
            "runId": sender.run_id, "entity": sender.entity, "project": sender.project, "spoolDir": d,
            "sent": sender.totals["sent"], "duplicates": sender.totals["duplicates"], "rejected": sender.totals["rejected"],
            "tornTailBytes": problem.bytes if problem else 0,
        }
        if error:
            report["error"] = error
        reports.append(report)
    return reports
