"""Coverage reports as text, an SNS message and a Slack payload (no I/O; the watchdog sends them).

Input is the report dict of `CoverageReport.to_dict()` (plus `api_calls`); `changes` (watchdog only) says
which problems are new and which were fixed since the last notification.
"""

from __future__ import annotations

import json

from advisor.coverage import PROBLEMS
from advisor.links import console_links
from advisor.render import (
    SLACK_HEADER_MAX,
    SLACK_MAX_BLOCKS,
    SLACK_SECTION_MAX,
    SnsMessage,
    _ascii_line,
    one_line,
    slack_escape,
)

MEANING = {
    "blind": "no datapoint in 24 h while the endpoint served traffic: the alarm can never fire",
    "orphaned": "the endpoint or variant no longer exists",
    "stuck": "in INSUFFICIENT_DATA for more than a day",
    "unwatched": "in service, and no alarm of this stack watches it",
}
JSON_MARKER = "--- coverage report (JSON) ---"
_ITEMS_PER_PROBLEM = 20
_MORE_ROOM = 80  # characters kept for the "…and N more" line


def _count(d: dict) -> int:
    return sum(len(d.get(problem) or []) for problem in PROBLEMS)


def summary(d: dict) -> str:
    """`2 blind, 1 unwatched` or `no problems`."""
    parts = [f"{len(d[p])} {p}" for p in PROBLEMS if d.get(p)]
    return ", ".join(parts) or "no problems"


def _links(d: dict, detail: dict) -> dict[str, str]:
    """The alarm's and the endpoint's console pages (what someone fixing the problem opens first)."""
    alarm = None if detail["problem"] == "unwatched" else detail["name"]
    pages = console_links(d.get("region"), alarm, detail.get("endpoint"))
    return {label: url for label, url in pages.items() if label in ("Alarm", "Endpoint")}


def _checked_line(d: dict) -> str:
    checked, calls = d.get("checked") or {}, d.get("api_calls") or {}
    ops = ", ".join(f"{op.split('.', 1)[1]} {n}" for op, n in (calls.get("by_operation") or {}).items())
    return (f"Checked {checked.get('alarms', 0)} alarms named {d.get('prefix', '')}* and "
            f"{checked.get('endpoints', 0)} endpoints ({checked.get('in_service', 0)} in service) in "
            f"{d.get('region') or '?'} over the last {checked.get('window_hours', 24)} h, "
            f"in {calls.get('total', 0)} AWS calls ({ops or 'none'}).")


def render_text(d: dict, changes: dict[str, list[list[str]]] | None = None) -> str:
    """The report for a terminal or an e-mail: every problem, why, and where to look."""
    lines = [f"Alarm coverage of {d.get('prefix', '')}*: {summary(d)}", "", _checked_line(d)]
    if (d.get("checked") or {}).get("not_judged"):
        lines.append(f"Not judged (metric math, no endpoint dimension, or data not read): "
                     f"{d['checked']['not_judged']} alarm(s).")
    if changes:
        for label, key in (("New", "new"), ("Fixed", "fixed")):
            if changes.get(key):
                lines.append(f"{label} since the last report: " + "; ".join(f"{p} {n}" for p, n in changes[key]))
    details = d.get("details") or []
    for problem in PROBLEMS:
        items = [x for x in details if x["problem"] == problem]
        if not items:
            continue
        lines += ["", f"{problem.upper()} ({len(items)}): {MEANING[problem]}"]
        for item in items:
            lines.append(f"  - {one_line(item['name'], 300)}")
            lines.append(f"      {one_line(item['reason'], 600)}")
            for label, url in _links(d, item).items():
                lines.append(f"      {label}: {url}")
    for error in d.get("errors") or []:
        lines.append(f"Not read: {error.get('operation')} {error.get('subject', '')} {error.get('code')}: "
                     f"{one_line(error.get('message'), 200)}")
    return "\n".join(lines)


def render_sns(d: dict, changes: dict[str, list[list[str]]] | None = None) -> SnsMessage:
    """The e-mail: the text report, then the report as JSON for machines."""
    subject = _ascii_line(f"Alarm coverage {d.get('prefix', '')}*: {summary(d)}", 99)
    body = f"{render_text(d, changes)}\n\n{JSON_MARKER}\n{json.dumps(d, indent=1, ensure_ascii=False)}"
    attributes = {"kind": {"DataType": "String", "StringValue": "coverage"},
                  "problems": {"DataType": "Number", "StringValue": str(_count(d))}}
    return SnsMessage(subject=subject, body=body, attributes=attributes)


def render_slack(d: dict, changes: dict[str, list[list[str]]] | None = None) -> dict:
    """Block Kit: a header with the counts, one section per problem kind with links, the calls made."""
    emoji = ":warning:" if _count(d) else ":white_check_mark:"
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "emoji": True, "text": slack_escape(
        f"{emoji} Alarm coverage {d.get('prefix', '')}*: {summary(d)}", SLACK_HEADER_MAX)}}]
    if changes and (changes.get("new") or changes.get("fixed")):
        text = "  ".join(f"*{label}:* " + ", ".join(slack_escape(f"{p} {n}", 200) for p, n in changes[key])
                         for label, key in (("New", "new"), ("Fixed", "fixed")) if changes.get(key))
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SLACK_SECTION_MAX]}]})
    details = d.get("details") or []
    for problem in PROBLEMS:
        items = [x for x in details if x["problem"] == problem]
        if not items or len(blocks) >= SLACK_MAX_BLOCKS - 2:
            continue
        rows = [f"*{problem}* ({len(items)}): {MEANING[problem]}"]
        shown = 0
        for item in items[:_ITEMS_PER_PROBLEM]:
            links = " ".join(f"<{url}|{label}>" for label, url in _links(d, item).items())
            row = f"• `{slack_escape(item['name'], 200)}` {slack_escape(item['reason'], 300)} {links}"
            # Whole rows only (a cut link is broken mrkdwn), leaving room for the "more" line.
            if sum(len(r) + 1 for r in rows) + len(row) > SLACK_SECTION_MAX - _MORE_ROOM:
                break
            rows.append(row)
            shown += 1
        if shown < len(items):
            rows.append(f"…and {len(items) - shown} more in the e-mail (SNS message).")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(rows)}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(_checked_line(d), 1000)}]})
    return {"text": slack_escape(f"Alarm coverage {d.get('prefix', '')}*: {summary(d)}", 300), "blocks": blocks}
