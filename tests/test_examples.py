"""The committed example scenarios (examples/, for the README) are what the builder makes now."""

from __future__ import annotations

from pathlib import Path

from builder import load_builder

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_examples_are_what_the_builder_makes() -> None:
    committed = {path.name: path.read_text(encoding="utf-8") for path in EXAMPLES.glob("*.json")}
    assert len(committed) >= 2
    built = load_builder().render_all(committed)
    stale = sorted(name for name, text in built.items() if committed[name] != text)
    assert not stale, f"rerun `python tests/scenarios/build.py --out examples {' '.join(stale)}`"
