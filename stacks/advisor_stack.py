"""The deployable stack: notifications, the advisor and its route, the dashboard, nested alarm stacks."""

from __future__ import annotations

from collections import Counter

from aws_cdk import App, CfnResource, Stack, Tags, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from stacks.advisor import Advisor
from stacks.alarms import ALARM_STACKS, AlarmStack, alarm_stack_slot, plan_alarm_stacks
from stacks.config import Config, ConfigError
from stacks.dashboard import Dashboard
from stacks.notifications import Notifications
from stacks.watchdog import Watchdog

# Every resource counts, the nested stacks' placeholders included; app.py turns version reporting off, so the
# CDK adds no AWS::CDK::Metadata resource to any template.
CFN_RESOURCE_LIMIT = 500


class LatencyAdvisorStack(Stack):
    """Alarms on every watched endpoint, one advisor behind one route, one topic, one dashboard."""

    def __init__(self, scope: Construct, config: Config) -> None:
        super().__init__(scope, config.stack_name,
                         description="SageMaker latency alarms and the advisor that diagnoses them")
        notifications = Notifications(self, "Notify", config.notify)
        self.advisor = Advisor(self, "Advisor", config, notifications)
        Dashboard(self, "Dashboard", config, self.advisor)
        if config.watchdog_schedule is not None:
            self.watchdog = Watchdog(self, "Watchdog", config, self.advisor, notifications)
        self.alarm_stacks = [AlarmStack(self, slot, endpoints, config)
                             for slot, endpoints in plan_alarm_stacks(config.endpoints).items()]
        for key, value in config.tags.items():
            Tags.of(self).add(key, value)


def build(app: App, config: Config, *, nag: bool = True) -> LatencyAdvisorStack:
    """Add the stack for `config` to `app`; raises ConfigError if a template would pass 500 resources."""
    stack = LatencyAdvisorStack(app, config)
    check_resource_limit(stack, config)
    if nag:
        Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return stack


def resource_counts(stack: Stack) -> Counter[str]:
    """CloudFormation resources per template (stack path), nested stacks included."""
    return Counter(Stack.of(node).node.path for node in stack.node.find_all() if isinstance(node, CfnResource))


def check_resource_limit(stack: Stack, config: Config) -> None:
    """Fail synth, with the way out, when a template would exceed CloudFormation's resource limit."""
    for path, count in resource_counts(stack).items():
        if count > CFN_RESOURCE_LIMIT:
            raise ConfigError(
                f"{config.source}: endpoints: template {path} would hold {count} resources, over CloudFormation's "
                f"{CFN_RESOURCE_LIMIT}; split the endpoints into several config files, each deployed with its own "
                f"stack_name (cdk deploy -c config=part-1.json ...)")


def describe_split(stack: LatencyAdvisorStack, config: Config) -> str:
    """One line saying how endpoints were spread over the nested alarm stacks."""
    counts = resource_counts(stack)
    sizes = [counts[nested.node.path] for nested in stack.alarm_stacks]
    alarms = sum(len(endpoint.alarms) for endpoint in config.endpoints)
    used = len({alarm_stack_slot(endpoint.name) for endpoint in config.endpoints})
    return (f"{config.stack_name}: {len(config.endpoints)} endpoint variants, {alarms} alarms in {used} of "
            f"{ALARM_STACKS} nested alarm stacks (slot = hash of endpoint name; all {ALARM_STACKS} always exist, so "
            f"adding an endpoint never moves another nor adds a stack); resources per template: largest nested "
            f"{max(sizes)}, main {counts[stack.node.path]}, limit {CFN_RESOURCE_LIMIT}")
