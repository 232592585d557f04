"""tests/SPEC.md is the copy of the shared SPEC the tests read, so they run the same with or without ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COPY = REPO / "tests" / "SPEC.md"
SHARED = REPO.parent / "shared" / "SPEC.md"


def test_the_spec_copy_matches_the_shared_spec() -> None:
    assert COPY.is_file(), "tests/SPEC.md is missing: copy ../shared/SPEC.md to tests/SPEC.md"
    if not SHARED.is_file():
        pytest.skip(f"{SHARED} absent: the SPEC checks use tests/SPEC.md as it is")
    assert COPY.read_bytes() == SHARED.read_bytes(), "the SPEC changed: copy ../shared/SPEC.md to tests/SPEC.md"
