"""Scenario diagnoses through `advisor replay --format json`, computed once per test session.

The scenario tests and the message snapshot tests read the same diagnoses; replaying each scenario once
halves the time both take.
"""

from __future__ import annotations

import contextlib
import io
import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def replayed(path: Path) -> dict[str, Any]:
    """The advisor's JSON diagnosis of one scenario file, in-process through the CLI's main()."""
    from advisor.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["replay", str(path), "--format", "json"])
    assert code == 0, f"advisor replay {path.name} exited {code}"
    return json.loads(out.getvalue())
