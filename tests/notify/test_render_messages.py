"""Renderers against hand-written diagnoses: SNS subject rules, attributes, e-mail body, Slack limits, escaping."""

from __future__ import annotations

import json
import string

import pytest
from samples import NOT_FOUND, OVERLOADED, RESOLVED, hostile, huge

from advisor import render

ALL = {"overloaded": OVERLOADED, "resolved": RESOLVED, "not-found": NOT_FOUND, "hostile": hostile(), "huge": huge()}


def _texts(node: object) -> list[str]:
    """Every "text" string in a Block Kit tree."""
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "text" and isinstance(v, str)] + [
            t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


@pytest.mark.parametrize("name", ALL)
def test_sns_subject_is_one_short_printable_ascii_line(name: str) -> None:
    subject = render.render_sns(ALL[name]).subject
    assert 0 < len(subject) < 100
    assert set(subject) <= set(string.printable) - set("\t\n\r\x0b\x0c")
    assert subject[0].isalnum()


def test_sns_subject_names_state_endpoint_and_top_finding() -> None:
    assert render.render_sns(OVERLOADED).subject == (
        "ALARM image-tagger: Endpoint saturated and no autoscaling (+1 more)")
    assert render.render_sns(RESOLVED).subject == (
        "OK image-tagger: ModelLatency on image-tagger/AllTraffic back to OK after 1 h 5 min")


def test_sns_attributes_let_subscribers_filter() -> None:
    attributes = render.render_sns(OVERLOADED).attributes
    assert attributes["endpoint"] == {"DataType": "String", "StringValue": "image-tagger"}
    assert attributes["state"] == {"DataType": "String", "StringValue": "ALARM"}
    assert attributes["severity"] == {"DataType": "String", "StringValue": "critical"}
    assert attributes["rules"]["DataType"] == "String.Array"
    assert json.loads(attributes["rules"]["StringValue"]) == ["SCALE-NONE", "MODEL-CPU-NO-GPU"]


def test_ok_notice_attributes_carry_no_empty_rule_list() -> None:
    attributes = render.render_sns(RESOLVED).attributes
    assert attributes["state"]["StringValue"] == "OK"
    assert attributes["severity"]["StringValue"] == "info"
    assert "rules" not in attributes  # SNS rejects an empty String.Array


def test_sns_body_reads_findings_in_order_with_numbers_advice_and_links() -> None:
    body = render.render_sns(OVERLOADED).body
    text, _, raw = body.partition(render.JSON_MARKER)
    words = " ".join(text.split())  # wrapping aside
    assert text.index("1. CRITICAL  SCALE-NONE") < text.index("2. WARNING  MODEL-CPU-NO-GPU")
    for fragment in ("88.8 %", "1,300/min (2.6x baseline)", "What to do: Add target tracking",
                     "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html",
                     "#alarmsV2:alarm/sagemaker-image-tagger-ModelLatency", "#/endpoints/image-tagger",
                     "metricsV2:", "$252Faws$252Fsagemaker$252FEndpoints$252Fimage-tagger",
                     "AccessDeniedException", "rules not evaluated: SCALE-AT-MAX"):
        assert fragment in words
    assert json.loads(raw) == OVERLOADED


def test_ok_notice_is_short_and_says_how_long() -> None:
    text = render.render_text(RESOLVED)
    assert "back to OK after 1 h 5 min" in text.splitlines()[1]
    assert "What to do" not in text and "finding" not in text
    assert len(text.splitlines()) < 15


def test_sns_text_has_no_control_characters_from_outside_text() -> None:
    body = render.render_sns(hostile()).body
    text = body.partition(render.JSON_MARKER)[0]
    assert "\r" not in text and "\x07" not in text
    assert "\nSubject: forged" not in text  # an injected line cannot start a line of its own
    assert "évil" in text  # UTF-8 is fine in the body


def test_sns_message_fits_the_size_limit() -> None:
    message = render.render_sns(huge())
    size = len(message.body.encode()) + len(json.dumps(message.attributes).encode())
    assert size <= render.SNS_MESSAGE_MAX_BYTES


@pytest.mark.parametrize("name", ALL)
def test_slack_payload_respects_block_kit_limits(name: str) -> None:
    payload = render.render_slack(ALL[name])
    blocks = payload["blocks"]
    assert 0 < len(blocks) <= render.SLACK_MAX_BLOCKS
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= render.SLACK_HEADER_MAX
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= render.SLACK_SECTION_MAX
        for field in block.get("fields", []):
            assert len(field["text"]) <= render.SLACK_FIELD_MAX
        assert len(block.get("fields", [])) <= 10
        for element in block.get("elements", []):
            if element["type"] == "button":
                assert len(element["text"]["text"]) <= render.SLACK_BUTTON_MAX
                assert len(element["url"]) <= 3000


def test_slack_overflow_says_how_many_findings_were_left_out() -> None:
    blocks = render.render_slack(huge())["blocks"]
    shown = [b for b in blocks if b["type"] == "section" and "text" in b and "RULE-" in b["text"]["text"]]
    note = [t for t in _texts(blocks) if "more findings in the e-mail" in t]
    assert len(note) == 1
    assert note[0].startswith(f"…and {60 - len(shown)} more")


def test_slack_alarm_message_has_finding_sections_and_console_buttons() -> None:
    payload = render.render_slack(OVERLOADED)
    assert payload["blocks"][0]["text"]["text"] == ":red_circle: ALARM image-tagger/AllTraffic"
    findings = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section" and "text" in b]
    assert findings[0].startswith(":red_circle: *CRITICAL*  `SCALE-NONE`  *Endpoint saturated and no autoscaling*")
    assert "• CPU per core (incident avg): *88.8 %*" in findings[0]
    assert "*What to do:* Add target tracking" in findings[0]
    assert "<https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html|endpoint-auto-scaling>" \
        in findings[0]
    buttons = [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Alarm", "Metrics", "Endpoint", "Logs"]
    assert payload["text"] == "ALARM image-tagger: Endpoint saturated and no autoscaling (+1 more)"


def test_slack_ok_notice_is_short() -> None:
    blocks = render.render_slack(RESOLVED)["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "actions"]
    assert blocks[0]["text"]["text"].startswith(":large_green_circle: OK")
    assert blocks[1]["text"]["text"] == "ModelLatency on image-tagger/AllTraffic back to OK after 1 h 5 min"


def test_slack_neutralises_mentions_links_and_markup_from_outside_text() -> None:
    texts = _texts(render.render_slack(hostile()))
    joined = "\n".join(texts)
    for live in ("<!channel>", "<@U123>", "<https://evil.example", "@here", "\r", "\x07"):
        assert live not in joined
    assert "&lt;!channel&gt;" in joined and "&amp; co" in joined and "@\u200bhere" in joined
    assert "\nSubject: forged" not in joined  # outside text cannot start a line of its own


def test_slack_escape_never_splits_an_entity() -> None:
    assert render.slack_escape("a" * 8 + "<<<<", 12) == "aaaaaaaa…"
    assert render.slack_escape("a" * 8 + "<<<<", 13) == "aaaaaaaa&lt;…"
    assert len(render.slack_escape("&" * 100, 50)) <= 50
