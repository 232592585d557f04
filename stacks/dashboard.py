"""One dashboard for every watched endpoint: a picker selects the endpoint, so its size stays flat.

Per-endpoint rows would cost 3+ widgets each and CloudWatch allows 500 per dashboard; dashboard
variables (EndpointName, VariantName) rewrite the dimensions of every endpoint graph instead.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Duration
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from stacks.advisor import Advisor
from stacks.alarms import NAMESPACE
from stacks.config import Config

PERIOD = Duration.minutes(1)
PERCENTILES = ("p50", "p90", "p99")
WIDTH = 8
HEIGHT = 6


class Dashboard(Construct):
    """Latency, load and model-loading graphs of the picked endpoint, then the advisor's own health."""

    def __init__(self, scope: Construct, construct_id: str, config: Config, advisor: Advisor) -> None:
        super().__init__(scope, construct_id)
        first = config.endpoints[0]
        self._dimensions = {"EndpointName": first.name, "VariantName": first.variant}
        names = {endpoint.name: endpoint.kind for endpoint in config.endpoints}
        name_values = [cw.VariableValue(value=name, label=f"{name} ({kind})") for name, kind in names.items()]
        variants = list(dict.fromkeys(endpoint.variant for endpoint in config.endpoints))
        self.dashboard = cw.Dashboard(
            self, "Dashboard",
            dashboard_name=f"{config.stack_name}-{Aws.REGION}",
            default_interval=Duration.hours(3),
            variables=[_picker("EndpointName", "Endpoint", name_values),
                       _picker("VariantName", "Variant", [cw.VariableValue(value=v, label=v) for v in variants])],
        )
        alarms_url = (f"https://{Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region={Aws.REGION}"
                      f"#alarmsV2:?search={config.alarm_prefix}")
        self.dashboard.add_widgets(cw.TextWidget(width=24, height=2, markdown=(
            f"## SageMaker latency advisor ({len(names)} endpoints)\nPick the endpoint and variant above. "
            f"Latencies in ms. [All latency alarms]({alarms_url}) - each ALARM is diagnosed and posted to "
            f"the SNS topic{' and Slack' if config.notify.uses_slack else ''}.")))
        self.dashboard.add_widgets(
            self._latency("ModelLatency", "Model latency (ms)"),
            self._latency("OverheadLatency", "Overhead latency (ms)"),
            self._graph("Invocations and errors (count/min)", [
                self._metric(name, "Sum") for name in ("Invocations", "Invocation5XXErrors", "ModelError")]),
        )
        self.dashboard.add_widgets(
            self._graph("Multi-model: cache hit rate", [self._metric("ModelCacheHit", "Average")],
                        left_y_axis=cw.YAxisProps(min=0, max=1)),
            self._graph("Multi-model: model loading p90 (ms)", [
                self._ms(name, "p90") for name in ("ModelLoadingWaitTime", "ModelDownloadingTime",
                                                   "ModelLoadingTime")]),
            self._graph("Serverless: cold-start setup time (ms)", [
                self._ms("ModelSetupTime", stat) for stat in ("p90", "Maximum")]),
        )
        function = advisor.function
        self.dashboard.add_widgets(
            self._graph("Advisor: invocations, errors, throttles", [
                function.metric_invocations(period=PERIOD), function.metric_errors(period=PERIOD),
                function.metric_throttles(period=PERIOD)], width=6),
            self._graph("Advisor: duration (ms)", [
                function.metric_duration(period=PERIOD, statistic=stat) for stat in ("p50", "p99", "Maximum")],
                width=6),
            self._graph("Advisor: events in the dead-letter queue", [
                advisor.dead_letters.metric_approximate_number_of_messages_visible(
                    period=PERIOD, statistic="Maximum")], width=6),
            self._graph("Account: top 10 endpoints by ModelLatency p90 (ms)", [cw.MathExpression(
                expression=(f"SORT(SEARCH('{{{NAMESPACE},EndpointName,VariantName}} "
                            f"MetricName=\"ModelLatency\"', 'p90', 60), MAX, DESC, 10) / 1000"),
                label="", period=PERIOD)], width=6),
        )
        CfnOutput(self, "DashboardUrl", value=(
            f"https://{Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region={Aws.REGION}"
            f"#dashboards/dashboard/{config.stack_name}-{Aws.REGION}"))

    def _metric(self, name: str, stat: str) -> cw.Metric:
        return cw.Metric(namespace=NAMESPACE, metric_name=name, dimensions_map=self._dimensions,
                         statistic=stat, period=PERIOD, label=f"{name} {stat}")

    def _ms(self, name: str, stat: str) -> cw.MathExpression:
        """A microsecond metric shown in milliseconds."""
        metric_id = f"{name}_{stat}".lower()  # ids must be unique within a graph
        return cw.MathExpression(expression=f"{metric_id} / 1000", using_metrics={metric_id: self._metric(name, stat)},
                                 label=f"{name} {stat}", period=PERIOD)

    def _latency(self, name: str, title: str) -> cw.GraphWidget:
        return self._graph(title, [self._ms(name, stat) for stat in PERCENTILES])

    @staticmethod
    def _graph(title: str, metrics: list[cw.IMetric], width: int = WIDTH,
               left_y_axis: cw.YAxisProps | None = None) -> cw.GraphWidget:
        return cw.GraphWidget(title=title, left=metrics, width=width, height=HEIGHT, left_y_axis=left_y_axis)


def _picker(dimension: str, label: str, values: list[cw.VariableValue]) -> cw.DashboardVariable:
    """A drop-down that rewrites `dimension` in every graph of the dashboard."""
    return cw.DashboardVariable(
        id=dimension, type=cw.VariableType.PROPERTY, value=dimension, label=label,
        input_type=cw.VariableInputType.SELECT, values=cw.Values.from_values(*values),
        default_value=cw.DefaultValue.value(values[0].value))
