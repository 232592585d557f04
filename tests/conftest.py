"""Puts tests/ on sys.path (pytest's prepend import mode), so test folders share `replayed`.

Hypothesis runs the same examples on every run by default (profile `fixed`): derandomized, a fixed budget, no
example database, so `make test` takes the same time and fails the same way everywhere. To hunt for new
failures, run with `HYPOTHESIS_PROFILE=explore` (random, many more examples, database in .hypothesis/); put any
failure it finds into the tests as an explicit example.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("fixed", derandomize=True, database=None, max_examples=600, deadline=None,
                          print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=5000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))
