"""`make bench`: measure the advisor against its budgets, print a table, write bench/results.json.

Stages run one after another (they would disturb each other's timings on a small machine); those that need
moto state or the Lambda's environment run in interpreters of their own. A missed budget is printed as
MISSED with where the time or memory goes; the exit status is non-zero only if a measurement crashed.
See bench/README.md for the method.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cold_start
import synth
from common import BENCH, PYTHON, progress, run_stage
from synth import synth_env

RESULTS = BENCH / "results.json"
README = BENCH / "README.md"
RESULTS_START, RESULTS_END = "<!-- results: written by bench/run.py -->", "<!-- end of results -->"


@dataclass(frozen=True)
class Budget:
    """One line of the issue's table: a results key, what it is, and the most it may be."""

    key: str
    what: str
    limit: float
    unit: str


BUDGETS = (
    Budget("api_calls_per_diagnosis_max", "AWS calls for one diagnosis, worst scenario (SPEC §4a)", 8, "calls"),
    Budget("api_calls_per_diagnosis_common", "AWS calls for one diagnosis, most frequent count", 6, "calls"),
    Budget("cold_start_ratio_vs_bare_boto3", "cold start / bare boto3 (same clients)", 1.3, "x"),
    Budget("warm_diagnosis_ms_p50", "warm diagnosis via the handler, p50", 250, "ms"),
    Budget("warm_diagnosis_vs_critical_path", "warm diagnosis p50 / its critical path of AWS calls at realistic "
           "delays", 1.15, "x"),
    Budget("peak_rss_mb", "peak RSS of the handler process, biggest scenario", 150, "MiB"),
    Budget("synth_s_100_endpoints", "cdk synth, 100 endpoints", 60, "s"),
    Budget("extra_resources_per_endpoint", "CFN resources per endpoint beyond its alarms", 0, ""),
    Budget("alarm_cost_usd_per_endpoint_month_max", "alarm cost per endpoint-month, worst kind", 1.00, "USD"),
)


def _version(*command: str) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, env=synth_env(), timeout=60,
                                   check=False)
    except OSError as error:
        return f"unavailable ({error.strerror})"
    return (completed.stdout or completed.stderr).strip().splitlines()[0] if completed.returncode == 0 else "?"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu, "python": platform.python_version(),
            "node": _version("node", "--version"), "cdk": _version("cdk", "--version"),
            "os": f"{platform.system()} {platform.release()}", "load_avg_at_start": list(os.getloadavg())}


def _in_child(script: str) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            return run_stage(script, Path(tmp) / "out.json")
    return run


def _cold_start() -> dict[str, Any]:
    measured = cold_start.measure(samples=25)
    # The ratio sits close to its budget on a busy machine, so the breakdown is always worth having.
    progress("cold start: breaking the import time down with -X importtime")
    measured["import_breakdown"] = cold_start.import_breakdown()
    return measured


STAGES: tuple[tuple[str, Callable[[], dict[str, Any]]], ...] = (
    ("api_calls", _in_child("api_calls.py")),
    ("cold_start", _cold_start),
    ("loopback", _in_child("loopback.py")),
    ("critical_path", _in_child("critical_path.py")),
    ("storm", _in_child("storm.py")),
    ("synth", synth.measure),
)


def headline(details: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """The issue's keys, from whatever stages succeeded (None where a stage crashed)."""
    def pick(stage: str, *path: str) -> Any:
        value: Any = details.get(stage)
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    costs = pick("synth", "alarm_usd_per_endpoint_month_by_kind")
    return {
        "api_calls_per_diagnosis_max": pick("api_calls", "max_operations"),
        "api_calls_per_diagnosis_common": pick("api_calls", "common_operations"),
        "cold_start_ratio_vs_bare_boto3": pick("cold_start", "ratio"),
        "warm_diagnosis_ms_p50": pick("loopback", "warm", "warm_ms_p50"),
        "warm_diagnosis_vs_critical_path": pick("critical_path", "ratio"),
        "peak_rss_mb": pick("loopback", "memory", "peak_rss_mb"),
        "synth_s_100_endpoints": pick("synth", "runs", "100", "synth_s"),
        "extra_resources_per_endpoint": pick("synth", "extra_resources_per_endpoint"),
        "alarm_cost_usd_per_endpoint_month_max": max(costs.values()) if costs else None,
        # Issue 6's limits, measured without a budget.
        "storm_50_alarms_wall_s": pick("storm", "storm", "wall_s"),
        "storm_50_alarms_api_calls": pick("storm", "storm", "aws_requests"),
        "storm_peak_calls_per_s": pick("storm", "storm", "peak_requests_per_s"),
    }


def _status(value: float | None, budget: Budget) -> str:
    if value is None:
        return "NOT MEASURED"
    return "ok" if value <= budget.limit else "MISSED"


def _dict_text(mapping: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in mapping.items())


def report(figures: dict[str, float | None], details: dict[str, dict[str, Any]], host: dict[str, Any]) -> str:
    """The results as markdown: the budget table, then growth, end to end and the breakdowns behind them."""
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {host['nproc']} x {host['cpu']}, "
             f"Python {host['python']}, Node {host['node']}, CDK CLI {host['cdk']}, {host['os']}; "
             f"load average at start {host['load_avg_at_start'][0]:.1f}.", "",
             "| key | value | budget | status | what |", "|---|---:|---:|---|---|"]
    notes: list[str] = []
    for budget in BUDGETS:
        value = figures[budget.key]
        what = f"{budget.what} ({budget.unit})" if budget.unit else budget.what
        lines.append(f"| `{budget.key}` | {'-' if value is None else format(value, 'g')} | "
                     f"<= {budget.limit:g} | {_status(value, budget)} | {what} |")
    if "synth" in details:
        run = details["synth"]
        check = ("the same" if run["cost_code_matches_template"] else
                 f"DIFFERENT: {_dict_text(run['alarm_usd_per_endpoint_month_by_kind_from_template'])}")
        lines += ["", "| endpoints | synth s | resources | alarms | nested stacks |", "|---:|---:|---:|---:|---:|"]
        lines += [f"| {size} | {r['synth_s']} | {r['resources']} | {r['alarms']} | {r['nested_stacks']} |"
                  for size, r in run["runs"].items()]
        notes += [f"- Non-alarm resources added from 10 to 100 endpoints: "
                      f"{_dict_text(run['extra_resources_10_to_100_by_type']) or 'none'}.",
                  f"- Alarm USD per endpoint-month by kind (stacks.costs): "
                  f"{_dict_text(run['alarm_usd_per_endpoint_month_by_kind'])}; priced from the synthesized "
                  f"alarms: {check}."]
    if "loopback" in details:
        loop = details["loopback"]
        e2e, memory, warm = loop["end_to_end"], loop["memory"], loop["warm"]
        notes += [f"- End to end, alarm event to notification (the demo's setting and scenarios: awslambdaric, "
                  f"stand-in, loopback Slack): cold {e2e['cold_ms_to_notification']} ms from runtime start; warm "
                  f"p50 {e2e['warm_ms_to_notification_p50']} ms, max {e2e['warm_ms_to_notification_max']} ms.",
                  f"- Warm diagnosis on `{loop['scenario']}`: p50 {warm['warm_ms_p50']} ms, p90 "
                  f"{warm['warm_ms_p90']} ms, of which the engine's diagnose p50 {warm['diagnose_ms_p50']} ms; "
                  f"same in a separate process p50 {memory['warm_ms_p50_out_of_process']} ms; typical scenario "
                  f"`{loop['warm_typical']['scenario']}` p50 {loop['warm_typical']['warm_ms_p50']} ms.",
                  f"- AWS operations during warm calls, p50 ms (client side, stand-in included): "
                  f"{_dict_text(warm['aws_operation_ms_p50'])}.",
                  f"- Handler process memory: peak {memory['peak_rss_mb']} MiB (kernel VmHWM {memory['vm_hwm_mb']}); "
                  f"RSS by phase: {_dict_text(memory['rss_mb_by_phase'])}."]
    if "critical_path" in details:
        floor = details["critical_path"]
        notes.append(f"- Warm diagnosis with AWS answering after {_dict_text(floor['delays_ms'])} ms "
                     f"(`{floor['scenario']}`): p50 {floor['warm_diagnosis_ms_p50']} ms (min "
                     f"{floor['warm_diagnosis_ms_min']}) against a critical path of {floor['critical_path_ms']:g} ms "
                     f"({' -> '.join(floor['critical_path'])}): ratio {floor['ratio']} (best {floor['ratio_min']}). "
                     f"Before the first call {floor['before_first_call_ms_p50']} ms, after the last "
                     f"{floor['after_last_call_ms_p50']} ms; each call's ms beyond its delay: "
                     f"{_dict_text(floor['call_ms_beyond_delay_p50'])}; the stand-in's own ms per request: "
                     f"{_dict_text(floor['standin_ms_p50'])} ({floor['standin_answers_later_than_delay']} answers "
                     f"later than their delay).")
    if "storm" in details:
        storm, quota = details["storm"]["storm"], details["storm"]["quota"]
        notes += [f"- Alarm storm, {details['storm']['events']} alarms on as many endpoints at once, "
                  f"{details['storm']['environments']} execution environments (awslambdaric, stand-in): "
                  f"`storm_50_alarms_wall_s` {storm['wall_s']} s to the last answer, latency from arrival p50 "
                  f"{storm['latency_from_arrival_ms']['p50']} ms, p95 {storm['latency_from_arrival_ms']['p95']} ms "
                  f"(invocation p50 {storm['invocation_ms']['p50']} ms); `storm_50_alarms_api_calls` "
                  f"{storm['aws_requests']} AWS requests ({_dict_text(storm['aws_requests_by_operation'])}); "
                  f"`storm_peak_calls_per_s` {storm['peak_requests_per_s']} (busiest second per API: "
                  f"{_dict_text(storm['peak_requests_per_s_by_operation'])}); delivered "
                  f"{_dict_text(storm['delivered'])}, none lost or duplicated.",
                  f"- Same storm with GetMetricData limited to {quota['get_metric_data_tps']:g}/s: "
                  f"{quota['evidence_requests_throttled']} requests throttled and retried, wall {quota['wall_s']} s, "
                  f"diagnoses missing evidence: {_dict_text(quota['diagnoses_missing_evidence']) or 'none'}; "
                  f"delivered {_dict_text(quota['delivered'])}."]
    if "api_calls" in details:
        calls = details["api_calls"]
        notes.append(f"- AWS calls: worst {calls['max_operations']} operations (`{calls['worst']}`), "
                     f"{calls['max_attempts']} HTTP requests counting retries (`{calls['worst_attempts']}`); "
                     f"the engine's own count differs in {calls['engine_count_mismatches'] or 'no scenario'}; "
                     f"slowest replayed diagnosis {calls['slowest_diagnosis_s']} s (`{calls['slowest']}`).")
    if "cold_start" in details:
        cold = details["cold_start"]
        notes.append(f"- Cold start: handler p50 {cold['handler_ms_p50']} ms (import {cold['handler_import_ms_p50']}"
                     f" ms + engine clients {cold['handler_engine_clients_ms_p50']} ms), bare boto3 p50 "
                     f"{cold['baseline_ms_p50']} ms, {cold['samples_each']} samples each; import ms beyond bare "
                     f"boto3 by package (one -X importtime run): "
                     f"{_dict_text(cold['import_breakdown']['extra_ms_by_package'])}.")
    return "\n".join([*lines, "", *notes])


def update_readme(table: str) -> None:
    """Replace the results section of bench/README.md with the latest table."""
    text = README.read_text()
    head, found, rest = text.partition(RESULTS_START)
    _, found_end, tail = rest.partition(RESULTS_END)
    if not (found and found_end):
        raise RuntimeError(f"{README} lacks the {RESULTS_START} ... {RESULTS_END} markers")
    README.write_text(f"{head}{RESULTS_START}\n{table}\n{RESULTS_END}{tail}")


def main() -> int:
    """Run every stage, report, write results.json; exit 1 if any measurement crashed."""
    began = time.perf_counter()
    progress(f"make bench: {len(STAGES)} stages, results in {RESULTS}")
    host = machine()
    progress(f"machine: {host}")
    details: dict[str, dict[str, Any]] = {}
    crashed: dict[str, str] = {}
    for name, stage in STAGES:
        progress(f"stage {name}")
        try:
            details[name] = stage()
        except Exception as error:  # report it, and measure the rest
            traceback.print_exc()
            crashed[name] = f"{type(error).__name__}: {error}"
            progress(f"stage {name} CRASHED: {crashed[name]}")
    figures = headline(details)
    table = report(figures, details, host)
    print(f"\n{table}\n")
    profile = details.get("loopback", {}).get("warm", {}).get("profile")
    if profile:
        print(f"warm diagnosis profile (pyinstrument, 10 calls):\n{profile}\n")
    update_readme(table)
    results = {**figures,
               "budgets": {b.key: {"limit": b.limit, "status": _status(figures[b.key], b)} for b in BUDGETS},
               "machine": host, "python_executable": PYTHON, "crashed": crashed,
               "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "duration_s": round(time.perf_counter() - began, 1), "details": details}
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    progress(f"done in {results['duration_s']} s; wrote {RESULTS} and the table in "
             f"{README}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
