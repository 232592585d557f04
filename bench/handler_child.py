"""The handler in a process of its own: cold import, then each event in turn; reports times and memory.

Run by bench/loopback.py with cwd lambdas/ and the Lambda's environment pointed at the stand-in server.
Peak RSS is this process's ru_maxrss (Linux: KiB), nothing subtracted, cross-checked against the kernel's
VmHWM; VmRSS is sampled between phases to show where the memory comes from.

Usage: python bench/handler_child.py EVENTS.json OUT.json
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import time
from pathlib import Path


def _status_mb(field: str = "VmRSS") -> float:
    """A memory field of /proc/self/status (VmRSS: resident now, VmHWM: peak resident) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def main(events_path: str, out_path: str) -> None:
    """Import the handler, run every event through it, write the figures."""
    events = json.loads(Path(events_path).read_text())
    rss = {"interpreter": _status_mb()}
    start = time.perf_counter()
    import handler  # the cold start, as in a fresh execution environment

    init_s = time.perf_counter() - start
    from standin.runtime_api import FakeLambdaContext as FakeContext  # after the timing

    rss["after_import"] = _status_mb()
    times, results = [], []
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # Powertools logs and EMF lines
        handler.logger.registered_handler.setStream(sink)  # type: ignore[attr-defined]  # a StreamHandler
        for number, event in enumerate(events):
            began = time.perf_counter()
            results.append(handler.handler(event, FakeContext()))
            times.append(time.perf_counter() - began)
            rss[f"after_event_{number + 1}"] = _status_mb()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(out_path).write_text(json.dumps({"init_s": init_s, "times_s": times, "results": results,
                                          "rss_mb": rss, "peak_rss_mb": round(peak_kib / 1024, 1),
                                          "vm_hwm_mb": _status_mb("VmHWM")}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
