"""Endpoints found by the config's `discover` filter at synth time, cached in cdk.context.json as CDK's own
context providers cache their lookups.

The first synth with AWS credentials lists the region's endpoints (ListEndpoints, then per candidate ListTags
for a tag filter, DescribeEndpoint, DescribeEndpointConfig and, for instance-backed variants, DescribeModel to
tell multi-model from real-time), keeps the matches and writes them under one context key; later synths (and
CI, without credentials) read the key, so a deployment is repeatable until the cache is refreshed with
`cdk context --reset KEY` or `make discover-refresh`. Explicit `endpoints` entries win over discovered ones
(same endpoint and variant) and carry their overrides.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from advisor.coverage import DiscoverFilter
from advisor.fleet import needs_model, variant_kind
from stacks.config import DEFAULT_VARIANT, Config, ConfigError, parse_config

CONTEXT_FILE = "cdk.context.json"
KEY_PREFIX = "sagemaker-endpoints:"
# Endpoints that serve, or will: a failed or deleting endpoint gets no alarms.
SKIPPED_STATUSES = frozenset({"Failed", "Deleting"})
PAGE = 100


class DiscoveryError(ConfigError):
    """Discovery could not run and nothing is cached: one line, like any config error."""


def context_key(config: Config) -> str:
    """The cache key: the stack and the filter, as CDK keys its own lookups by what they looked up."""
    assert config.discover is not None
    canonical = json.dumps(config.discover.to_dict(), sort_keys=True, separators=(",", ":"))
    return f"{KEY_PREFIX}stack={config.stack_name}:filter={canonical}"


def lookup(session: Any, discover: DiscoverFilter) -> dict[str, Any]:
    """The matching endpoint variants of the session's region, with the account and region they came from."""
    sagemaker = session.client("sagemaker")
    calls = 0
    account = session.client("sts").get_caller_identity()["Account"]
    summaries: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"MaxResults": PAGE}
    while True:
        page = sagemaker.list_endpoints(**kwargs)
        calls += 1
        summaries += page.get("Endpoints", [])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    found: list[dict[str, str]] = []
    for summary in sorted(summaries, key=lambda s: s["EndpointName"]):
        name = summary["EndpointName"]
        if summary.get("EndpointStatus") in SKIPPED_STATUSES or not discover.name_matches(name):
            continue
        tags = None
        if discover.needs_tags:
            tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=summary["EndpointArn"],
                                                                       MaxResults=PAGE).get("Tags", [])}
            calls += 1
            if any(tags.get(k) != v for k, v in discover.tags.items()):
                continue
        endpoint = sagemaker.describe_endpoint(EndpointName=name)
        config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
        calls += 2
        for variant in config.get("ProductionVariants", []):
            model = None
            if needs_model(config, variant):
                model = sagemaker.describe_model(ModelName=variant["ModelName"])
                calls += 1
            kind = variant_kind(config, variant, model)
            if discover.matches(name, tags, kind):
                found.append({"name": name, "variant": variant["VariantName"], "kind": kind.value})
    return {"account": account, "region": session.region_name, "endpoints": found, "calls": calls,
            "looked_up": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def read_context_file(path: Path) -> dict[str, Any]:
    """cdk.context.json as a dict (empty when absent); a file that is not a JSON object is a config error."""
    if not path.exists():
        return {}
    try:
        context = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise DiscoveryError(f"{path}: not valid JSON ({err}); fix or delete it") from None
    if not isinstance(context, dict):
        raise DiscoveryError(f"{path}: expected a JSON object of context keys")
    return context


def write_context(path: Path, key: str, value: Mapping[str, Any]) -> None:
    """Add one key to cdk.context.json, atomically (a temporary file renamed over it: never half-written)."""
    context = read_context_file(path)
    context[key] = dict(value)
    _write_atomically(path, context)


def _write_atomically(path: Path, context: Mapping[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(context, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def merged_endpoints(raw_endpoints: list[dict[str, Any]], discovered: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Explicit entries first (they win, with their overrides), then the discovered variants they do not name."""
    explicit = {(e.get("name"), e.get("variant", DEFAULT_VARIANT)) for e in raw_endpoints if isinstance(e, dict)}
    return list(raw_endpoints) + [d for d in discovered if (d["name"], d["variant"]) not in explicit]


def resolve(config: Config, raw: Mapping[str, Any], *, cached: Any = None, context_file: Path | None = None,
            session: Any = None) -> tuple[Config, str]:
    """The config with its discovered endpoints, and the one line synth prints about them.

    `cached` is the context value CDK handed the app (None: read `context_file`). Raises DiscoveryError when
    there is no cached result and no credentials to look one up.
    """
    if config.discover is None:
        return config, ""
    key = context_key(config)
    path = context_file or Path.cwd() / CONTEXT_FILE
    if cached is None:
        cached = read_context_file(path).get(key)
    origin = f"from {path.name}"
    if cached is None:
        if session is None:
            import boto3

            session = boto3.Session()
        if session.get_credentials() is None or not session.region_name:
            missing = "credentials" if session.get_credentials() is None else "region"
            raise DiscoveryError(f"{config.source}: discover: no AWS {missing} and no cached result in {path.name} "
                                 f"(key {key}); run cdk synth once with credentials for the endpoints' account")
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            cached = lookup(session, config.discover)
        except (BotoCoreError, ClientError) as err:
            raise DiscoveryError(f"{config.source}: discover: lookup failed: {' '.join(str(err).split())}") from None
        write_context(path, key, cached)
        origin = f"looked up now in {cached['calls']} calls, cached in {path.name}"
    if not isinstance(cached, dict) or not isinstance(cached.get("endpoints"), list):
        raise DiscoveryError(f"{path.name}: {key}: not a discovery result; cdk context --reset it and synth again")
    endpoints = merged_endpoints(list(raw.get("endpoints", [])), cached["endpoints"])
    if not endpoints:
        raise DiscoveryError(f"{config.source}: discover: no endpoint in {cached.get('account')}/"
                             f"{cached.get('region')} matches {json.dumps(config.discover.to_dict())} and no "
                             "endpoints are listed; nothing to watch")
    resolved = parse_config({**raw, "endpoints": endpoints}, config.source)
    line = (f"discover: {len(cached['endpoints'])} endpoint variants in {cached.get('account')}/"
            f"{cached.get('region')} match {json.dumps(config.discover.to_dict())} ({origin}, looked up "
            f"{cached.get('looked_up')}; refresh: make discover-refresh); watching {len(resolved.endpoints)}")
    return resolved, line


def resolve_for_app(app: Any, config: Config) -> Config:
    """app.py's step: the config with its discovered endpoints (CDK's context first), the one line printed."""
    if config.discover is None:
        return config
    raw = json.loads(Path(config.source).read_text(encoding="utf-8"))  # load_config has validated it
    resolved, line = resolve(config, raw, cached=app.node.try_get_context(context_key(config)))
    print(line, file=sys.stderr)
    return resolved


def reset(path: Path) -> list[str]:
    """Remove every cached discovery from cdk.context.json (atomically); return the keys removed."""
    context = read_context_file(path)
    removed = [key for key in context if key.startswith(KEY_PREFIX)]
    if removed:
        _write_atomically(path, {key: value for key, value in context.items() if key not in removed})
    return removed


if __name__ == "__main__":  # make discover-refresh
    try:
        gone = reset(Path.cwd() / CONTEXT_FILE)
    except DiscoveryError as error:
        print(error, file=sys.stderr)
        sys.exit(2)
    print(f"discover-refresh: {len(gone)} cached discovery result(s) removed from {CONTEXT_FILE}; the next "
          "cdk synth (with credentials) looks the endpoints up again")
