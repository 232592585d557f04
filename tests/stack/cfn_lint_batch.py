"""cfn-lint over many templates at once, the way its own CLI does it, with results cached by template content.

Linting is the slowest check of the suite (about 15 ms per resource, plus about 0.6 s to load the rules), so:

- the rules are loaded once per worker process, not once per template (`cfnlint.api.lint` loads them every call);
- identical templates (the empty alarm slots, the same stack in two configs) are linted once;
- what is left is spread over a small pool of worker processes (one per core, at most two);
- each template's findings are kept in `.cache/cfn-lint/` under a hash of the template text, the cfn-lint version
  and the lint settings, so the next run only lints what changed. The key covers everything the result depends on,
  so a stale entry can never be read: a changed template or another cfn-lint version is simply a new key. A fresh
  clone has no cache and lints everything. Delete the folder at will; entries unused for 30 days are pruned.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO / ".cache" / "cfn-lint"
# The settings of `cfnlint.api.lint(text)`: every default rule, the primary region.
REGIONS = ("us-east-1",)
PRUNE_AFTER_S = 30 * 24 * 3600
MAX_WORKERS = 2

_runner: Any = None


def _settings() -> str:
    return f"cfn-lint {version('cfn-lint')} regions {','.join(REGIONS)}"


def template_key(text: str) -> str:
    """The cache key of a template's text: it changes with the text, the cfn-lint version and the settings."""
    return hashlib.sha256(f"{_settings()}\n{text}".encode()).hexdigest()


def _start_worker() -> None:
    """Load the rules once for every template this process lints (cfn-lint's CLI does the same for its files)."""
    global _runner
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner.cli import Runner

    _runner = Runner(ConfigMixIn(regions=list(REGIONS)))


def lint_text(text: str) -> list[str]:
    """The findings of one template, as `RULE message` lines (what `cfnlint.api.lint` returns)."""
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner.template.runner import run_template_by_data

    if _runner is None:
        _start_worker()
    template, errors = decode_str(text)
    if errors:
        return [f"{m.rule.id} {m.message}" for m in errors]
    if template is None:
        return []
    return [f"{m.rule.id} {m.message}" for m in run_template_by_data(template, _runner.config, _runner.rules)]


def _lint_all(texts: list[str], workers: int) -> list[list[str]]:
    if workers <= 1 or len(texts) < 4:
        return [lint_text(text) for text in texts]
    # spawn, not fork: the test process runs the CDK's Node.js child and its threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker) as pool:
        return list(pool.map(lint_text, texts))


def lint_templates(templates: Iterable[dict[str, Any]], cache_dir: Path | None = CACHE_DIR,
                   workers: int | None = None) -> list[list[str]]:
    """The findings of each template, in order; `cache_dir=None` lints everything without reading or writing a cache."""
    texts = [json.dumps(template, sort_keys=True) for template in templates]
    keys = [template_key(text) for text in texts]
    found: dict[str, list[str]] = {}
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for key in set(keys):
            entry = cache_dir / f"{key}.json"
            if entry.exists():
                found[key] = json.loads(entry.read_text())
                os.utime(entry)
    todo = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
    # Largest first, so the last template a worker picks up is a small one.
    order = sorted(todo, key=lambda key: -len(todo[key]))
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1)
    for key, findings in zip(order, _lint_all([todo[key] for key in order], workers), strict=True):
        found[key] = findings
        if cache_dir is not None:
            partial = cache_dir / f"{key}.{os.getpid()}.tmp"
            partial.write_text(json.dumps(findings))
            partial.replace(cache_dir / f"{key}.json")
    if cache_dir is not None:
        _prune(cache_dir)
    return [found[key] for key in keys]


def _prune(cache_dir: Path) -> None:
    cutoff = time.time() - PRUNE_AFTER_S
    for entry in cache_dir.glob("*.json"):
        if entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)
