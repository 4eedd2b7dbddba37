# `python -m orrery sync [DIR] [--url URL]`: upload runs recorded offline or left unsent by a crash.
from __future__ import annotations

import argparse
import sys

from ._sender import SyncError
from ._sync import sync_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orrery")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sync", help="upload runs recorded offline or left unsent by a crash (safe to repeat)")
    s.add_argument("dir", nargs="?", help="a run folder, or a folder of them (default: $ORRERY_DIR or ./orrery)")
    s.add_argument("--url", help="server URL (default: $ORRERY_URL or http://127.0.0.1:5170)")
    args = parser.parse_args(argv)
    try:
        reports = sync_dir(args.dir, url=args.url)
    except SyncError as err:
        print(f"orrery: {err}", file=sys.stderr)
        return 1
    if not reports:
        print("no run spools found")
        return 0
    for r in reports:
        torn = f", {r['tornTailBytes']} bytes of an unfinished last record ignored" if r["tornTailBytes"] else ""
        print(f"{r['entity']}/{r['project']}/{r['runId']}: {r['sent']} records sent, {r['duplicates']} already on the server, {r['rejected']} rejected{torn}")
        if r.get("error"):
            print(f"orrery: {r['entity']}/{r['project']}/{r['runId']} is not fully uploaded: {r['error']}", file=sys.stderr)
    return 1 if any(r.get("error") for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
