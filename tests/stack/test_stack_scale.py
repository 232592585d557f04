"""Hundreds of endpoints: split over nested stacks by name hash, under 500 resources each, nothing per endpoint
beyond its alarms, and adding an endpoint never moves another endpoint's alarms."""

from __future__ import annotations

from collections import Counter

import pytest
from aws_cdk import App

from stacks.advisor import DESCRIBE_ENDPOINT_POLICIES
from stacks.advisor_stack import build, describe_split
from stacks.alarms import ALARM_STACKS, alarm_stack_slot
from stacks.config import ConfigError, parse_config

# GOLDEN VALUES: the nested alarm stack of an endpoint is a hash of its name. These slots were computed once (from
# stacks.alarms.alarm_stack_slot as of issue 12) and are written here as literals on purpose: they must NEVER
# change. A different hash or slot count would re-home alarms in every deployed stack (CloudFormation deletes and
# re-creates each moved alarm, which loses its state and history). If this test fails, fix the hash, not the table.
GOLDEN_SLOTS = {
    "resnet50-cpu": 8, "tenant-models": 11, "sentiment-serverless": 1, "Batch-Scorer": 12, "batch-scorer": 15,
    "fast-lane": 3, "ep-000-real-time": 15, "ep-001-multi-model": 12, "ep-002-serverless": 14, "ep-003-async": 6,
    "ep-100-real-time": 3, "tenant-0": 0, "x" * 63: 6,
}
ALARM = "AWS::CloudWatch::Alarm"
PLACEHOLDER = "AWS::CloudFormation::WaitConditionHandle"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"


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


def _crowded(count: int, accept, length: int = 0) -> list[str]:
    """The first `count` names `tenant-<n>`, padded with x to `length`, that `accept` takes."""
    names = (f"tenant-{i}".ljust(length, "x") for i in range(100_000))
    return [name for name in names if accept(name)][:count]


def test_alarm_stack_slots_of_endpoint_names_never_change():
    assert ALARM_STACKS == 16
    assert {name: alarm_stack_slot(name) for name in GOLDEN_SLOTS} == GOLDEN_SLOTS


@pytest.mark.parametrize("name", ["example", "overrides", "mixed-300"])
def test_synthesized_alarms_live_in_their_golden_slots(synthesized, name):
    # Alarm names are <prefix>/<endpoint>/<variant>/<metric>; nested stack paths end in /AlarmsNN.
    homes = {alarm.split("/")[1]: path.rsplit("/", 1)[1] for alarm, (path, _) in _alarm_homes(synthesized(name)).items()}
    checked = {endpoint: home for endpoint, home in homes.items() if endpoint in GOLDEN_SLOTS}
    assert len(checked) >= 3, "each config has golden endpoints"
    assert checked == {endpoint: f"Alarms{GOLDEN_SLOTS[endpoint]:02d}" for endpoint in checked}


def test_300_endpoints_every_template_under_500_resources(mixed_300):
    sizes = {path: len(t["Resources"]) for path, t in mixed_300.templates.items()}
    assert max(sizes.values()) <= 500, sizes
    assert len(mixed_300.nested) == ALARM_STACKS


def test_300_endpoints_every_alarm_present(mixed_300, expected_metrics):
    expected = {f"SageMakerLatencyAdvisor/{e.name}/{e.variant}/{metric}"
                for e in mixed_300.config.endpoints for metric in expected_metrics[e.kind]}
    assert len(expected) == 75 * (2 + 6 + 3 + 2)
    assert set(mixed_300.endpoint_alarms()) == expected


def test_nested_stacks_hold_only_alarms_and_one_placeholder_and_each_endpoint_lives_in_its_hash_slot(mixed_300):
    for path, template in mixed_300.nested.items():
        types = Counter(r["Type"] for r in template["Resources"].values())
        assert set(types) == {ALARM, PLACEHOLDER} and types[PLACEHOLDER] == 1, path
    for name, (path, _) in _alarm_homes(mixed_300).items():
        assert path.endswith(f"/Alarms{alarm_stack_slot(name.split('/')[1]):02d}")


def test_every_slot_is_a_nested_stack_even_when_no_endpoint_hashes_into_it(synthesized):
    example = synthesized("example")
    used = {alarm_stack_slot(e.name) for e in example.config.endpoints}
    assert len(used) < ALARM_STACKS
    stacks = [r for _, _, r in example.resources("AWS::CloudFormation::Stack")]
    assert len(stacks) == len(example.nested) == ALARM_STACKS
    for slot in range(ALARM_STACKS):
        (template,) = [t for path, t in example.nested.items() if path.endswith(f"/Alarms{slot:02d}")]
        types = Counter(r["Type"] for r in template["Resources"].values())
        assert types[PLACEHOLDER] == 1 and (types[ALARM] > 0) == (slot in used), slot


def test_10_vs_100_endpoints_costs_zero_extra_resources_per_endpoint_beyond_its_alarms(synthesized):
    small, large = synthesized("mixed-10"), synthesized("mixed-100")
    small_types, large_types = _types(small), _types(large)
    added_endpoints = large.config.endpoints[len(small.config.endpoints):]
    assert large_types[ALARM] - small_types[ALARM] == sum(len(e.alarms) for e in added_endpoints)
    # The benchmark's key, over every template: ((resources_100 - alarms_100) - (resources_10 - alarms_10)) / 90.
    extra = ((sum(large_types.values()) - large_types[ALARM])
             - (sum(small_types.values()) - small_types[ALARM])) / len(added_endpoints)
    assert extra == 0
    assert large_types - Counter({ALARM: large_types[ALARM]}) == small_types - Counter({ALARM: small_types[ALARM]})
    assert large_types[MANAGED_POLICY] == DESCRIBE_ENDPOINT_POLICIES
    assert "AWS::CDK::Metadata" not in large_types


def test_adding_an_endpoint_adds_exactly_its_alarms_and_moves_or_regrants_nothing_else(synthesized):
    before = synthesized("mixed-100")
    added = {"name": "ep-100-real-time", "kind": "real-time"}
    after = synthesized("mixed-101", {"endpoints": [*_endpoints(before), added]})
    assert sum(_types(after).values()) - sum(_types(before).values()) == 2  # ModelLatency, OverheadLatency
    old, new = _alarm_homes(before), _alarm_homes(after)
    assert {name: new[name] for name in old} == old
    policies = [{logical_id: r["Properties"] for _, logical_id, r in synth.resources(MANAGED_POLICY)}
                for synth in (before, after)]
    assert policies[0].keys() == policies[1].keys()
    changed = [logical_id for logical_id in policies[0] if policies[0][logical_id] != policies[1][logical_id]]
    assert len(changed) == 1, "only the new endpoint's DescribeEndpoint policy changes"


def test_growing_from_10_to_100_endpoints_moves_none_of_the_first_10(synthesized):
    old, new = _alarm_homes(synthesized("mixed-10")), _alarm_homes(synthesized("mixed-100"))
    assert {name: new[name] for name in old} == old


def test_split_is_reported_in_one_line(mixed_300):
    line = describe_split(mixed_300.stack, mixed_300.config)
    assert "\n" not in line
    assert line.startswith("SageMakerLatencyAdvisor: 300 endpoint variants, 975 alarms in 16 of 16 nested alarm "
                           "stacks")


def test_a_hash_slot_over_500_resources_fails_synth_with_the_way_out():
    # Variants share their endpoint's ARN, so a slot fills with alarms before its DescribeEndpoint policy fills.
    names = _crowded(43, lambda name: alarm_stack_slot(name) == 0)
    pairs = [{"name": n, "variant": v, "kind": "multi-model"} for n in names[:41] for v in ("Blue", "Green")]
    # 41 x 2 x 6 multi-model alarms + 3 serverless + 2 x 2 async alarms + the placeholder = 500 resources: the most
    # a template takes.
    full = [*pairs, {"name": names[41], "variant": "V0", "kind": "serverless"},
            *({"name": names[41], "variant": f"V{i}", "kind": "async"} for i in (1, 2))]
    build(App(), parse_config({"endpoints": full}, "full.json"), nag=False)
    # 41 x 2 x 6 + 6 + 2 = 500 alarms, and the placeholder makes 501.
    endpoints = [*pairs, {"name": names[41], "kind": "multi-model"}, {"name": names[42], "kind": "async"}]
    with pytest.raises(ConfigError) as caught:
        build(App(), parse_config({"endpoints": endpoints}, "big.json"), nag=False)
    assert str(caught.value) == (
        "big.json: endpoints: template SageMakerLatencyAdvisor/Alarms00 would hold 501 resources, over "
        "CloudFormation's 500; split the endpoints into several config files, each deployed with its own "
        "stack_name (cdk deploy -c config=part-1.json ...)")


def test_a_describe_endpoint_policy_over_iam_size_limit_fails_synth_with_the_way_out():
    # 63-character names (the longest SageMaker allows): 45 ARNs fill a policy at the longest partition/region.
    names = _crowded(46, lambda name: alarm_stack_slot(name) % DESCRIBE_ENDPOINT_POLICIES == 0, length=63)
    fits = parse_config({"endpoints": [{"name": n, "kind": "async"} for n in names[:45]]}, "fits.json")
    build(App(), fits, nag=False)
    wide = parse_config({"endpoints": [{"name": n, "kind": "async"} for n in names]}, "wide.json")
    with pytest.raises(ConfigError) as caught:
        build(App(), wide, nag=False)
    assert str(caught.value) == (
        "wide.json: endpoints: DescribeEndpoint policy 0 would hold 46 endpoint ARNs, up to 6,188 characters, "
        "over IAM's 6,144 per managed policy (one stack takes roughly 306 endpoints with names this long); split "
        "the endpoints into several config files, each deployed with its own stack_name")


def test_a_describe_inference_component_policy_over_iam_size_limit_fails_synth_with_the_way_out():
    # 63-character IC names: 42 ARNs fit one policy at the longest partition/region, the 43rd does not.
    def config(count: int, source: str):
        names = [f"ic-{i:03d}-".ljust(63, "x") for i in range(count)]
        return parse_config({"endpoints": [{"name": "genai-host", "kind": "inference-components",
                                            "inference_components": [{"name": n} for n in names]}]}, source)
    build(App(), config(42, "fits.json"), nag=False)
    with pytest.raises(ConfigError) as caught:
        build(App(), config(43, "wide.json"), nag=False)
    assert str(caught.value) == (
        "wide.json: endpoints: the DescribeInferenceComponent policy would hold 43 inference component ARNs, up to "
        "6,277 characters, over IAM's 6,144 per managed policy (one stack takes about 42 inference components with "
        "names this long); split the endpoints into several config files, each deployed with its own stack_name")
