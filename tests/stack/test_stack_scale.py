"""Hundreds of endpoints: split over nested stacks by name hash, under 500 resources each, nothing per endpoint
beyond its alarms, and adding an endpoint never moves another endpoint's alarms."""

from __future__ import annotations

from collections import Counter

import pytest
from aws_cdk import App

from stacks.advisor_stack import build, describe_split
from stacks.alarms import ALARM_STACKS, alarm_stack_slot
from stacks.config import ConfigError, parse_config

ALARM = "AWS::CloudWatch::Alarm"
METADATA = "AWS::CDK::Metadata"
# Containers that grow with the fleet but not per endpoint: one nested stack (and its CDK metadata) per used
# hash slot, at most ALARM_STACKS, and one DescribeEndpoint managed policy per ~70 endpoint names.
CONTAINERS = {"AWS::CloudFormation::Stack", METADATA, "AWS::IAM::ManagedPolicy"}


@pytest.fixture(scope="module")
def mixed_300(synthesized):
    return synthesized("mixed-300")


def _types(synth) -> Counter[str]:
    return Counter(r["Type"] for t in synth.templates.values() for r in t["Resources"].values())


def _alarm_homes(synth) -> dict[str, tuple[str, str]]:
    """Alarm name -> (nested stack path, logical id)."""
    return {r["Properties"]["AlarmName"]: (path, logical_id) for path, logical_id, r in synth.resources(ALARM)
            if path != synth.stack.node.path}


def _endpoints(synth) -> list[dict[str, str]]:
    return [{"name": e.name, "variant": e.variant, "kind": e.kind} for e in synth.config.endpoints]


def test_300_endpoints_every_template_under_500_resources(mixed_300):
    sizes = {path: len(t["Resources"]) for path, t in mixed_300.templates.items()}
    assert max(sizes.values()) <= 500, sizes
    assert 1 < len(mixed_300.nested) <= ALARM_STACKS


def test_300_endpoints_every_alarm_present(mixed_300, expected_metrics):
    expected = {f"SageMakerLatencyAdvisor/{e.name}/{e.variant}/{metric}"
                for e in mixed_300.config.endpoints for metric in expected_metrics[e.kind]}
    assert len(expected) == 75 * (2 + 6 + 3 + 1)
    assert set(mixed_300.endpoint_alarms()) == expected


def test_nested_stacks_hold_only_alarms_and_each_endpoint_lives_in_its_hash_slot(mixed_300):
    for path, template in mixed_300.nested.items():
        assert {r["Type"] for r in template["Resources"].values()} == {ALARM, METADATA}, path
    for name, (path, _) in _alarm_homes(mixed_300).items():
        assert path.endswith(f"/Alarms{alarm_stack_slot(name.split('/')[1]):02d}")


def test_10_vs_100_endpoints_costs_zero_extra_resources_per_endpoint_beyond_its_alarms(synthesized):
    small, large = synthesized("mixed-10"), synthesized("mixed-100")
    small_types, large_types = _types(small), _types(large)
    added_endpoints = large.config.endpoints[len(small.config.endpoints):]
    added_alarms = large_types[ALARM] - small_types[ALARM]
    assert added_alarms == sum(len(e.alarms) for e in added_endpoints)
    # Containers: each newly used hash slot brings a nested stack and its CDK metadata; IAM policies hold ~70 ARNs.
    slots = [len({alarm_stack_slot(e.name) for e in s.config.endpoints}) for s in (small, large)]
    policies = large_types["AWS::IAM::ManagedPolicy"] - small_types["AWS::IAM::ManagedPolicy"]
    assert policies <= len(added_endpoints) // 60
    added_containers = 2 * (slots[1] - slots[0]) + policies
    extra = sum(large_types.values()) - sum(small_types.values()) - added_alarms - added_containers
    assert extra / len(added_endpoints) == 0
    assert set(large_types - small_types) <= {ALARM, *CONTAINERS} and not small_types - large_types


def test_adding_an_endpoint_adds_exactly_its_alarms_and_moves_nothing(synthesized):
    before = synthesized("mixed-100")
    added = {"name": "ep-100-real-time", "kind": "real-time"}
    after = synthesized("mixed-101", {"endpoints": [*_endpoints(before), added]})
    assert sum(_types(after).values()) - sum(_types(before).values()) == 2  # ModelLatency, OverheadLatency
    old, new = _alarm_homes(before), _alarm_homes(after)
    assert {name: new[name] for name in old} == old


def test_growing_from_10_to_100_endpoints_moves_none_of_the_first_10(synthesized):
    old, new = _alarm_homes(synthesized("mixed-10")), _alarm_homes(synthesized("mixed-100"))
    assert {name: new[name] for name in old} == old


def test_split_is_reported_in_one_line(mixed_300):
    line = describe_split(mixed_300.stack, mixed_300.config)
    assert "\n" not in line
    assert line.startswith(f"SageMakerLatencyAdvisor: 300 endpoint variants, 900 alarms in {len(mixed_300.nested)} "
                           "nested alarm stacks")


def test_a_hash_slot_over_500_resources_fails_synth_with_the_way_out():
    names = (f"tenant-{i}" for i in range(100_000))
    crowded = [name for name in names if alarm_stack_slot(name) == 0][:85]
    # 83 x 6 multi-model alarms + 2 async alarms = 500 alarms, and the CDK metadata resource makes 501.
    endpoints = [{"name": n, "kind": "multi-model" if i < 83 else "async"} for i, n in enumerate(crowded)]
    config = parse_config({"endpoints": endpoints}, "big.json")
    with pytest.raises(ConfigError) as caught:
        build(App(), config, nag=False)
    assert str(caught.value) == (
        "big.json: endpoints: template SageMakerLatencyAdvisor/Alarms00 would hold 500 resources (+1 CDK metadata), "
        "over CloudFormation's 500; split the endpoints into several config files, each deployed with its own "
        "stack_name (cdk deploy -c config=part-1.json ...)")


def test_too_many_endpoint_arns_for_one_role_fails_synth_with_the_way_out():
    names = [f"{i:04d}-{'x' * 58}" for i in range(460)]  # 63-character names: 45 ARNs per managed policy
    config = parse_config({"endpoints": [{"name": n, "kind": "async"} for n in names]}, "wide.json")
    with pytest.raises(ConfigError) as caught:
        build(App(), config, nag=False)
    assert str(caught.value) == (
        "wide.json: endpoints: 460 endpoints need 11 IAM policies for DescribeEndpoint, over the 10 a role takes; "
        "split the endpoints into several config files, each deployed with its own stack_name")
