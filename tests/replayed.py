"""Scenario diagnoses, computed once per test session, with what the stand-in saw of them.

The scenario tests and the message snapshot tests read the same diagnoses; replaying each scenario once
halves the time both take. Each replay runs the engine on the scenario's world directly (the CLI path is
covered by the scenarios replayed through the `advisor` command) and keeps the stand-in's own count of the
requests it was sent, so the advisor's `api_calls` can be checked against a count it did not make.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Replay:
    """The JSON diagnosis (as `advisor replay --format json` prints it) and the requests the stand-in received."""

    diagnosis: dict[str, Any]
    requests: dict[str, int]


@cache
def replay(path: Path) -> Replay:
    """Replay one scenario file in-process."""
    from advisor.engine import diagnose
    from standin.scenario import load_scenario
    from standin.world import replay_world

    scenario = load_scenario(path)
    with replay_world(scenario) as world:
        diagnosis = diagnose(scenario.event, session=world.session, now=world.now).to_dict()
        requests = dict(world.injector.requests)
    return Replay(json.loads(json.dumps(diagnosis, ensure_ascii=False)), requests)


def replayed(path: Path) -> dict[str, Any]:
    """The advisor's JSON diagnosis of one scenario file."""
    return replay(path).diagnosis
