"""standin/alarms.py: DescribeAlarms pages as AWS does, and new alarms start in INSUFFICIENT_DATA."""

from __future__ import annotations

import worlds

from standin.coverage import coverage_world, load_world


def test_describe_alarms_pages_by_max_records_and_new_alarms_have_insufficient_data() -> None:
    setup = []
    for name in ("a-rt", "b-rt", "c-rt"):
        setup += worlds.alarms(name, state=None)
    with coverage_world(load_world({"name": "pages", "setup": setup})) as opened:
        cloudwatch = opened.session.client("cloudwatch")
        names, states, pages, token = [], set(), 0, None
        while True:
            page = cloudwatch.describe_alarms(AlarmNamePrefix=f"{worlds.STACK}/", MaxRecords=4,
                                              **({"NextToken": token} if token else {}))
            pages += 1
            names += [a["AlarmName"] for a in page["MetricAlarms"]]
            states |= {a["StateValue"] for a in page["MetricAlarms"]}
            token = page.get("NextToken")
            if not token:
                break
    assert pages == 2 and names == sorted(names) and len(names) == len(set(names)) == 6
    assert states == {"INSUFFICIENT_DATA"}
