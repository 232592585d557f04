"""AWS calls per diagnosis, over every scenario in tests/scenarios/ (replayed in process, faults included).

Counted independently of the engine's own counter, on the session the engine builds its clients from:
`before-call` once per API operation, `before-send` once per HTTP attempt (retries of throttled calls
included). Both handlers are registered first, ahead of the stand-in's fault injector, which answers in
moto's place and would otherwise stop the event chain.

Usage: python bench/api_calls.py OUT.json
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from common import SCENARIOS, progress

from advisor.engine import diagnose
from standin.scenario import load_scenario
from standin.world import replay_world


class _Tally:
    """Operations and HTTP attempts seen on one session."""

    def __init__(self) -> None:
        self.operations: Counter[str] = Counter()
        self.attempts = 0

    def on_call(self, model: Any, **_: Any) -> None:
        self.operations[f"{model.service_model.service_name}.{model.name}"] += 1

    def on_send(self, **_: Any) -> None:
        self.attempts += 1


def count_calls(path: Path) -> dict[str, Any]:
    """Replay one scenario and count what the diagnosis asked of AWS."""
    scenario = load_scenario(path)
    tally = _Tally()
    with replay_world(scenario) as world:
        world.session.events.register_first("before-call", tally.on_call)
        world.session.events.register_first("before-send", tally.on_send)
        began = time.perf_counter()
        reported = diagnose(scenario.event, session=world.session, now=world.now).to_dict()["api_calls"]
        seconds = time.perf_counter() - began
    return {"operations": sum(tally.operations.values()), "attempts": tally.attempts,
            "engine_reported": reported["total"], "diagnosis_s": round(seconds, 2),
            "by_operation": dict(sorted(tally.operations.items()))}


def measure() -> dict[str, Any]:
    """Counts per scenario, and the worst ones."""
    paths = sorted(SCENARIOS.glob("*.json"))
    progress(f"api calls: replaying {len(paths)} scenarios")
    per_scenario = {path.stem: count_calls(path) for path in paths}
    worst = max(per_scenario, key=lambda name: per_scenario[name]["operations"])
    worst_attempts = max(per_scenario, key=lambda name: per_scenario[name]["attempts"])
    slowest = max(per_scenario, key=lambda name: per_scenario[name]["diagnosis_s"])
    mismatched = sorted(name for name, counts in per_scenario.items()
                        if counts["engine_reported"] != counts["operations"])
    # The common case: the most frequent count over the ALARM diagnoses (resolved notices make no call).
    counts = sorted(c["operations"] for c in per_scenario.values() if c["operations"])
    common = max(set(counts), key=counts.count) if counts else 0
    return {"scenarios": len(paths), "max_operations": per_scenario[worst]["operations"], "worst": worst,
            "common_operations": common, "median_operations": counts[len(counts) // 2] if counts else 0,
            "max_attempts": per_scenario[worst_attempts]["attempts"], "worst_attempts": worst_attempts,
            "slowest": slowest, "slowest_diagnosis_s": per_scenario[slowest]["diagnosis_s"],
            "engine_count_mismatches": mismatched, "per_scenario": per_scenario}


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(measure(), indent=1))
