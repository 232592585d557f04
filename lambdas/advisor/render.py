"""Diagnosis → message: plain text (CLI, e-mail), an SNS message and a Slack Block Kit payload. No I/O.

Every renderer is a pure function of the SPEC §5 diagnosis dict. Text that comes from outside the advisor
(alarm names, descriptions, reasons, evidence) is cleaned for the medium it lands in: control characters
never reach SNS, and Slack's markup characters and mentions are neutralised.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from advisor import links

SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
SNS_SUBJECT_MAX = 99  # SNS: "less than 100 characters", ASCII, one line
SNS_MESSAGE_MAX_BYTES = 256 * 1024  # message plus attributes
JSON_MARKER = "--- diagnosis (JSON) ---"
WRAP = 100

# Block Kit limits (docs.slack.dev/reference/block-kit): 50 blocks per message, header text 150 characters,
# section text 3000, section fields 10 of 2000, button text 75, context elements 10.
SLACK_MAX_BLOCKS = 50
SLACK_HEADER_MAX = 150
SLACK_SECTION_MAX = 3000
SLACK_FIELD_MAX = 2000
SLACK_BUTTON_MAX = 75
# Per-part budgets keep a finding's section within SLACK_SECTION_MAX without cutting through markup:
# 110 + title + items × (key + value + 7) + 40 + 15 + advice + 6 + docs × (url + label + 5) = 2932.
_TITLE_MAX = 150
_EVIDENCE_ITEMS = 8
_EVIDENCE_KEY_MAX = 50
_EVIDENCE_VALUE_MAX = 80
_ADVICE_MAX = 900
_DOCS_MAX = 3
_DOC_URL_MAX = 160
_DOC_LABEL_MAX = 40

_STATE_EMOJI = {"ALARM": ":red_circle:", "OK": ":large_green_circle:", "INSUFFICIENT_DATA": ":white_circle:"}
_SEVERITY_EMOJI = {"critical": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
_SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "@\u200b"}


@dataclass(frozen=True)
class SnsMessage:
    """What `sns.publish` takes: a one-line ASCII subject, the body, and filterable message attributes."""

    subject: str
    body: str
    attributes: dict[str, dict[str, str]]


# ---- shared pieces -------------------------------------------------------------------------------------


def one_line(value: Any, limit: int = 500) -> str:
    """Outside text as one clean line: no control characters or line breaks, at most `limit` characters."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", str(value))).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _alarm(d: dict) -> dict:
    return d.get("alarm") or {}


def _endpoint(d: dict) -> dict:
    return d.get("endpoint") or {}


def top_severity(d: dict) -> str:
    """The most severe finding's severity; 'info' when there is none (OK notices, no findings)."""
    severities = [f.get("severity", "info") for f in d.get("findings") or []]
    return min(severities, key=lambda s: SEVERITY_RANK.get(s, len(SEVERITY_RANK)), default="info")


def _target(d: dict) -> str:
    alarm = _alarm(d)
    endpoint = alarm.get("endpoint") or alarm.get("name") or "unknown endpoint"
    target = f"{endpoint}/{alarm['variant']}" if alarm.get("variant") else str(endpoint)
    if alarm.get("inference_component"):
        target += f", inference component {alarm['inference_component']}"
    return target


def _when(value: Any) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return one_line(value, 60)
    if moment.utcoffset() is not None and not moment.utcoffset():
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.isoformat()


def _metric_line(alarm: dict) -> str:
    parts = [" ".join(str(p) for p in (alarm.get("metric"), alarm.get("stat")) if p)]
    if alarm.get("threshold"):
        parts.append(f"threshold {alarm['threshold']}")
    if alarm.get("period_s"):
        parts.append(f"{alarm['period_s']} s periods")
    return one_line(", ".join(p for p in parts if p))


def _endpoint_line(d: dict) -> str:
    endpoint = _endpoint(d)
    instances = endpoint.get("instance_type")
    if instances and endpoint.get("instance_count") is not None:
        instances = f"{instances} x {endpoint['instance_count']}"
    memory = f"{endpoint['memory_mb']} MB" if endpoint.get("memory_mb") else None
    parts = [endpoint.get("kind"), instances, memory, endpoint.get("framework"), endpoint.get("status")]
    component = endpoint.get("inference_component") or {}
    if component:
        def shown(value: Any) -> str:
            return "?" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
        copies = (f"copies {shown(component.get('current_copies'))} current / "
                  f"{shown(component.get('desired_copies'))} desired / {shown(component.get('max_copies'))} max")
        reserved = [f"{shown(component[key])} {label}" for key, label in (
            ("accelerators", "accelerator(s)"), ("cpu_cores", "CPU core(s)"), ("min_memory_mb", "MB"))
            if component.get(key)]
        parts += [copies, "reserved per copy: " + (", ".join(reserved) or "none declared")]
    return one_line(", ".join(str(p) for p in parts if p)) or "not described"


def _headline(d: dict) -> str:
    """Top finding (with how many more), or the resolved summary, or what the alarm says."""
    findings = d.get("findings") or []
    if findings:
        more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
        return f"{one_line(findings[0].get('title', findings[0].get('rule', 'finding')))}{more}"
    resolved = d.get("resolved") or {}
    if resolved.get("summary"):
        return one_line(resolved["summary"])
    return one_line(_alarm(d).get("metric") or "no findings") + " alarm, no findings"


def console_links(d: dict) -> dict[str, str]:
    """AWS console pages for the alarm, the endpoint's metrics, the endpoint and its logs (empty without a region)."""
    alarm = _alarm(d)
    return links.console_links(alarm.get("region"), alarm.get("name"), alarm.get("endpoint"),
                               alarm.get("inference_component"))


# ---- plain text (CLI `--format text`, the SNS/e-mail body) ------------------------------------------------


def _wrapped(label: str, text: str, indent: str, hang: int = 2) -> list[str]:
    return textwrap.wrap(f"{label}{text}", width=WRAP, initial_indent=indent, subsequent_indent=indent + " " * hang,
                         break_on_hyphens=False, break_long_words=False)


def _finding_text(number: int, finding: dict) -> list[str]:
    indent = "   "
    lines = [f"{number}. {str(finding.get('severity', 'info')).upper()}  {one_line(finding.get('rule', '?'), 60)}"
             f"  {one_line(finding.get('title', ''), 300)}"]
    evidence = {one_line(k, 120): one_line(v, 300) for k, v in (finding.get("evidence") or {}).items()}
    width = max((len(k) for k in evidence), default=0) + 2
    for key, value in evidence.items():
        lines += _wrapped(f"{key + ':':<{width}}", value, indent, hang=width)
    if finding.get("recommendation"):
        lines += _wrapped("What to do: ", one_line(finding["recommendation"], 4000), indent)
    lines += [f"{indent}Docs: {one_line(url, 500)}" for url in finding.get("docs") or []]
    return lines


def render_text(d: dict) -> str:
    """The diagnosis as plain text for a terminal or an e-mail."""
    alarm, resolved, findings = _alarm(d), d.get("resolved"), d.get("findings") or []
    state = one_line(alarm.get("state") or "?", 40)
    title = f"{state}: SageMaker endpoint {one_line(_target(d), 300)}"
    lines = [f"{title}, resolved" if resolved else title]
    if resolved:
        lines.append(one_line(resolved.get("summary") or "back to OK"))
    lines.append("")
    facts = [("Alarm", f"{one_line(alarm.get('name', '?'), 300)}"
                       + (f" (was {one_line(alarm['previous_state'], 40)})" if alarm.get("previous_state") else "")),
             ("Metric", _metric_line(alarm)),
             ("Changed", _when(alarm.get("time")))]
    if not resolved:
        facts.append(("Endpoint", _endpoint_line(d)))
        if alarm.get("reason"):
            facts.append(("Reason", one_line(alarm["reason"], 1000)))
        if alarm.get("description"):
            facts.append(("About", one_line(alarm["description"], 1000)))
    for label, value in facts:
        lines += _wrapped(f"{label:<10}", value, "", hang=10) if value else []
    if not resolved:
        count = {0: "No findings.", 1: "1 finding"}.get(len(findings), f"{len(findings)} findings, most severe first")
        lines += ["", count]
        for number, finding in enumerate(findings, 1):
            lines += ["", *_finding_text(number, finding)]
    errors = d.get("errors") or []
    if errors:
        lines += ["", "Evidence that could not be gathered (the diagnosis went on without it):"]
        for error in errors:
            skipped = ", ".join(one_line(r, 60) for r in error.get("skipped") or [])
            text = (f"{one_line(error.get('evidence', '?'), 200)}: {one_line(error.get('code', 'error'), 100)}"
                    + (f" ({one_line(error['message'], 300)})" if error.get("message") else "")
                    + (f"; rules not evaluated: {skipped}" if skipped else ""))
            lines += _wrapped("- ", text, " ")
    pages = console_links(d)
    if pages:
        lines += ["", "Open in the AWS console:", *(f"  {label:<9} {url}" for label, url in pages.items())]
    calls = (d.get("api_calls") or {}).get("total")
    if not resolved and calls is not None:
        lines += ["", f"{calls} AWS API call{'s' if calls != 1 else ''} made for this diagnosis."]
    return "\n".join(lines)


# ---- SNS -----------------------------------------------------------------------------------------------


def _ascii_line(text: str, limit: int) -> str:
    """One line of printable ASCII, at most `limit` characters (what SNS takes as a subject)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()  # NFKD: "é"→"e", "…"→"..."
    clean = _SPACES.sub(" ", "".join(c if c.isprintable() else " " for c in folded)).strip()
    return clean if len(clean) <= limit else clean[: limit - 3].rstrip() + "..."


def _subject(d: dict) -> str:
    alarm = _alarm(d)
    endpoint = alarm.get("endpoint") or alarm.get("name") or "endpoint"
    return _ascii_line(f"{alarm.get('state') or 'ALARM'} {endpoint}: {_headline(d)}", SNS_SUBJECT_MAX)


def _attributes(d: dict) -> dict[str, dict[str, str]]:
    """Message attributes subscribers filter on; empty values are left out because SNS rejects them."""
    alarm = _alarm(d)
    attributes = {name: {"DataType": "String", "StringValue": one_line(value, 256)}
                  for name, value in (("endpoint", alarm.get("endpoint")), ("variant", alarm.get("variant")),
                                      ("inference_component", alarm.get("inference_component")),
                                      ("state", alarm.get("state")), ("severity", top_severity(d)))
                  if value}
    rules = [one_line(f.get("rule"), 60) for f in d.get("findings") or [] if f.get("rule")]
    if rules:
        attributes["rules"] = {"DataType": "String.Array", "StringValue": json.dumps(rules)}
    return attributes


def render_sns(d: dict) -> SnsMessage:
    """The SNS notification: readable text, then the full diagnosis as JSON after a fixed marker line.

    One body for every protocol, so what on-call reads in e-mail is what an SQS/Lambda/HTTPS subscriber gets;
    programs filter on the message attributes and parse the JSON after `JSON_MARKER`.
    """
    attributes = _attributes(d)
    budget = SNS_MESSAGE_MAX_BYTES - len(json.dumps(attributes).encode())
    text = render_text(d)
    body = f"{text}\n\n{JSON_MARKER}\n{json.dumps(d, indent=2, ensure_ascii=False, default=str)}\n"
    if len(body.encode()) > budget:
        body = f"{text}\n\n(The JSON copy of the diagnosis is left out: it exceeds the SNS size limit.)\n"
        body = body.encode()[:budget].decode(errors="ignore")
    return SnsMessage(subject=_subject(d), body=body, attributes=attributes)


# ---- Slack ---------------------------------------------------------------------------------------------


def slack_escape(value: Any, limit: int) -> str:
    """Outside text made inert for Slack mrkdwn and plain_text, at most `limit` characters once escaped.

    &, <, > become entities (so `<!channel>` or `<https://evil|x>` cannot form), "@" gets a zero-width space
    (no @here/@channel/@user pings), control characters and line breaks become spaces. The cut falls between
    escaped characters, never inside an entity.
    """
    pieces = [_SLACK_ESCAPES.get(char, char) for char in one_line(value, limit)]
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    kept, used = [], 0
    for piece in pieces:
        if used + len(piece) > limit - 1:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept) + "…"


def _plain(escaped: str) -> dict:
    return {"type": "plain_text", "text": escaped, "emoji": True}


def _link(url: str, label: str) -> str:
    # URLs come from the advisor (console links, AWS docs); "|" and ">" would end Slack's link markup early.
    return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{label}>"


def _finding_block(finding: dict) -> dict:
    severity = str(finding.get("severity", "info"))
    lines = [f"{_SEVERITY_EMOJI.get(severity, ':white_circle:')} *{slack_escape(severity.upper(), 20)}*  "
             f"`{slack_escape(finding.get('rule', '?'), 60)}`  *{slack_escape(finding.get('title', ''), _TITLE_MAX)}*"]
    evidence = list((finding.get("evidence") or {}).items())
    lines += [f"• {slack_escape(key, _EVIDENCE_KEY_MAX)}: *{slack_escape(value, _EVIDENCE_VALUE_MAX)}*"
              for key, value in evidence[:_EVIDENCE_ITEMS]]
    if len(evidence) > _EVIDENCE_ITEMS:
        lines.append(f"• …and {len(evidence) - _EVIDENCE_ITEMS} more in the e-mail")
    if finding.get("recommendation"):
        lines.append(f"*What to do:* {slack_escape(finding['recommendation'], _ADVICE_MAX)}")
    docs = [url for url in finding.get("docs") or [] if isinstance(url, str) and len(url) <= _DOC_URL_MAX]
    if docs:
        lines.append("Docs: " + ", ".join(
            _link(url, slack_escape(url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html"), _DOC_LABEL_MAX))
            for url in docs[:_DOCS_MAX]))
    return {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}


def _field(label: str, value: str) -> dict:
    return {"type": "mrkdwn", "text": f"*{label}*\n{slack_escape(value, SLACK_FIELD_MAX - len(label) - 3)}"}


def _context(mrkdwn: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}


def render_slack(d: dict) -> dict:
    """The Slack incoming-webhook payload: Block Kit blocks plus the notification fallback text."""
    alarm, resolved, findings = _alarm(d), d.get("resolved"), d.get("findings") or []
    state = str(alarm.get("state") or "ALARM")
    emoji = _STATE_EMOJI.get(state, ":white_circle:")
    blocks: list[dict] = [{"type": "header", "text": _plain(
        f"{emoji} {slack_escape(f'{state} {_target(d)}', SLACK_HEADER_MAX - len(emoji) - 1)}")}]
    if resolved:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(
            resolved.get("summary") or "Back to OK", SLACK_SECTION_MAX)}})
    else:
        blocks.append({"type": "section", "fields": [
            _field("Alarm", alarm.get("name") or "?"), _field("Metric", _metric_line(alarm)),
            _field("Since", _when(alarm.get("time"))), _field("Endpoint", _endpoint_line(d))]})
        if alarm.get("reason"):
            blocks.append(_context(slack_escape(alarm["reason"], 1000)))
        blocks.append({"type": "divider"})

    trailer: list[dict] = []
    errors = d.get("errors") or []
    if errors:
        trailer.append(_context("Evidence not gathered, the diagnosis went on without it: " + "; ".join(
            f"`{slack_escape(e.get('evidence', '?'), 80)}` {slack_escape(e.get('code', ''), 60)}"
            for e in errors[:10])))
    pages = console_links(d)
    if pages:
        trailer.append({"type": "actions", "elements": [
            {"type": "button", "text": _plain(label), "url": url, "action_id": f"open-{label.lower()}"}
            for label, url in pages.items()]})
    calls = (d.get("api_calls") or {}).get("total")
    if not resolved and calls is not None:
        trailer.append(_context(f"SageMaker latency advisor · {calls} AWS API calls"))

    room = SLACK_MAX_BLOCKS - len(blocks) - len(trailer)
    if len(findings) <= room:
        blocks += [_finding_block(f) for f in findings]
    else:
        blocks += [_finding_block(f) for f in findings[: room - 1]]
        blocks.append(_context(f"…and {len(findings) - room + 1} more findings in the e-mail (SNS message)."))
    text = slack_escape(f"{state} {alarm.get('endpoint') or alarm.get('name') or ''}: {_headline(d)}", 300)
    return {"text": text, "blocks": blocks + trailer}
