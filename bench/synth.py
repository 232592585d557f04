"""`cdk synth` at 1, 10 and 100 endpoints: time, CloudFormation resources, and what the alarms cost.

Configs (mixed kinds, default thresholds, e-mail + Slack notifications) are written to a temp dir and the
real CLI synthesizes each into its own cloud assembly; resources are counted over every template in it
(nested stacks included). The per-endpoint alarm cost is read back from the synthesized alarms (their
EndpointName dimension and period) and priced with the table in stacks/costs.py, as a check on
`stacks.costs.monthly_usd_by_kind`, which gives the headline figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from common import ROOT, TOOL_PATH, clean_env, progress

KINDS = ("real-time", "multi-model", "serverless", "async")
SIZES = (1, 10, 100)
ALARM = "AWS::CloudWatch::Alarm"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # stacks/ (the CDK app) is not an installed package


def write_config(directory: Path, endpoints: int) -> Path:
    """A config watching `endpoints` endpoints of every kind in turn, everything else at its default."""
    config = {"endpoints": [{"name": f"endpoint-{number:03d}", "variant": "AllTraffic",
                             "kind": KINDS[number % len(KINDS)]} for number in range(endpoints)],
              "notify": {"email": ["oncall@example.com"], "slack": True}}
    path = directory / f"watch-{endpoints}.json"
    path.write_text(json.dumps(config, indent=1))
    return path


def synth_env() -> dict[str, str]:
    """The tools on PATH as `make` sets them, no version check or Node deprecation banner."""
    return clean_env(PATH=f"{TOOL_PATH}:{os.environ.get('PATH', '')}", CDK_DISABLE_VERSION_CHECK="1",
                     JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1")


def synth(config: Path, outdir: Path) -> tuple[float, str]:
    """Run `cdk synth -q` on the config; return the wall time and what the app said on stderr."""
    began = time.perf_counter()
    completed = subprocess.run(["cdk", "synth", "-q", "-c", f"config={config}", "-o", str(outdir)], cwd=ROOT,
                               env=synth_env(), capture_output=True, text=True, timeout=240, check=False)
    elapsed = time.perf_counter() - began
    if completed.returncode != 0:
        raise RuntimeError(f"cdk synth of {config.name} failed: {completed.stderr.strip()[-2000:]}")
    return elapsed, completed.stderr


def templates(outdir: Path) -> list[dict[str, Any]]:
    """Every CloudFormation template in the cloud assembly, nested stacks and nested assemblies included."""
    return [json.loads(path.read_text()) for path in sorted(outdir.rglob("*.template.json"))]


def resource_types(outdir: Path) -> Counter[str]:
    """CloudFormation resources by type over the whole assembly."""
    return Counter(resource["Type"] for template in templates(outdir)
                   for resource in template.get("Resources", {}).values())


def alarm_cost_by_endpoint(outdir: Path) -> dict[str, float]:
    """Monthly price of each endpoint's synthesized alarms, from stacks.costs' price table."""
    from stacks.costs import HIGH_RESOLUTION_BELOW_S, alarm_monthly_usd

    costs: dict[str, float] = defaultdict(float)
    for template in templates(outdir):
        for resource in template.get("Resources", {}).values():
            if resource["Type"] != ALARM:
                continue
            props = resource["Properties"]
            endpoint = next((d["Value"] for d in props.get("Dimensions", []) if d["Name"] == "EndpointName"), None)
            if endpoint is None:
                continue  # the advisor's own dead-letter alarm
            if "Metrics" in props:  # metric math: billed per metric analysed
                costs[endpoint] += alarm_monthly_usd("metrics-insights", len(props["Metrics"]))
            else:
                high = int(props["Period"]) < HIGH_RESOLUTION_BELOW_S
                costs[endpoint] += alarm_monthly_usd("high-resolution" if high else "standard")
    return {endpoint: round(usd, 4) for endpoint, usd in costs.items()}


def measure() -> dict[str, Any]:
    """Synth time and resource counts per size, extra resources per endpoint, alarm cost per endpoint kind."""
    from stacks.costs import monthly_usd_by_kind

    runs: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        directory = Path(tmp)
        for size in SIZES:
            progress(f"synth: {size} endpoint(s)")
            config = write_config(directory, size)
            outdir = directory / f"assembly-{size}"
            elapsed, said = synth(config, outdir)
            types = resource_types(outdir)
            runs[size] = {"synth_s": round(elapsed, 2), "resources": sum(types.values()), "alarms": types[ALARM],
                          "nested_stacks": types["AWS::CloudFormation::Stack"], "by_type": dict(sorted(types.items())),
                          "app_said": " ".join(line for line in said.splitlines() if "endpoint variants" in line)}
            progress(f"synth: {size} endpoint(s) in {elapsed:.1f} s, {runs[size]['resources']} resources")
        from_template = alarm_cost_by_endpoint(directory / f"assembly-{max(SIZES)}")
    by_kind_code = monthly_usd_by_kind()
    by_kind_template = {kind: max(usd for endpoint, usd in from_template.items()
                                  if KINDS[int(endpoint.rsplit("-", 1)[1]) % len(KINDS)] == kind)
                        for kind in KINDS}
    small, big = runs[10], runs[100]
    others = {kind: big["by_type"].get(kind, 0) - small["by_type"].get(kind, 0)
              for kind in set(big["by_type"]) | set(small["by_type"]) if kind != ALARM}
    return {
        "runs": {str(size): run for size, run in runs.items()},
        "extra_resources_per_endpoint": round(((big["resources"] - big["alarms"])
                                               - (small["resources"] - small["alarms"])) / 90, 3),
        "extra_resources_10_to_100_by_type": {kind: delta for kind, delta in sorted(others.items()) if delta},
        "alarm_usd_per_endpoint_month_by_kind": by_kind_code,
        "alarm_usd_per_endpoint_month_by_kind_from_template": by_kind_template,
        "cost_code_matches_template": all(abs(by_kind_code[k] - by_kind_template[k]) < 1e-9 for k in KINDS),
    }
