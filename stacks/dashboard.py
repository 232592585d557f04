"""One dashboard for every watched endpoint: a picker selects the endpoint, so its size stays flat.

Per-endpoint rows would cost 3+ widgets each and CloudWatch allows 500 per dashboard; dashboard
variables (EndpointName, VariantName) rewrite the dimensions of every endpoint graph instead. Namespaces,
metric names and dimensions come from the metric catalogue (advisor.catalogue): metrics published per
endpoint only (the async backlog) get no VariantName, so the variant picker leaves them alone.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Duration
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from advisor.catalogue import CATALOGUE, Kind, M
from stacks.advisor import Advisor
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
        components = [(endpoint.name, component.name) for endpoint in config.endpoints
                      for component in endpoint.components]
        self._dimensions = {"EndpointName": first.name, "VariantName": first.variant,  # the pickers' defaults
                            "InferenceComponentName": components[0][1] if components else ""}
        names = {endpoint.name: endpoint.kind for endpoint in config.endpoints}
        name_values = [cw.VariableValue(value=name, label=f"{name} ({kind})") for name, kind in names.items()]
        variants = list(dict.fromkeys(endpoint.variant for endpoint in config.endpoints))
        self.dashboard = cw.Dashboard(
            self, "Dashboard",
            dashboard_name=f"{config.stack_name}-{Aws.REGION}",
            default_interval=Duration.hours(3),
            variables=[_picker("EndpointName", "Endpoint", name_values),
                       _picker("VariantName", "Variant", [cw.VariableValue(value=v, label=v) for v in variants]),
                       *([_picker("InferenceComponentName", "Inference component",
                                  [cw.VariableValue(value=name, label=f"{name} ({endpoint})")
                                   for endpoint, name in components])] if components else [])],
        )
        alarms_url = (f"https://{Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region={Aws.REGION}"
                      f"#alarmsV2:?search={config.alarm_prefix}")
        self.dashboard.add_widgets(cw.TextWidget(width=24, height=2, markdown=(
            f"## SageMaker latency advisor ({len(names)} endpoints)\nPick the endpoint and variant above. "
            f"Latencies in ms. [All latency alarms]({alarms_url}) - each ALARM is diagnosed and posted to "
            f"the SNS topic{' and Slack' if config.notify.uses_slack else ''}.")))
        self.dashboard.add_widgets(
            self._latency(M.MODEL_LATENCY, "Model latency (ms)"),
            self._latency(M.OVERHEAD_LATENCY, "Overhead latency (ms)"),
            self._graph("Invocations and errors (count/min)", [
                self._metric(name, "Sum") for name in (M.INVOCATIONS, M.INVOCATION_4XX_ERRORS,
                                                       M.INVOCATION_5XX_ERRORS, M.INVOCATION_MODEL_ERRORS)]),
        )
        self.dashboard.add_widgets(
            self._graph("Multi-model: cache hit rate", [self._metric(M.MODEL_CACHE_HIT, "Average")],
                        left_y_axis=cw.YAxisProps(min=0, max=1)),
            # AWS documents no percentiles for the loading times: averages, as their alarms use.
            self._graph("Multi-model: model loading, average (ms)", [
                self._ms(name, "Average") for name in (M.MODEL_LOADING_WAIT_TIME, M.MODEL_DOWNLOADING_TIME,
                                                       M.MODEL_LOADING_TIME)]),
            self._graph("Serverless: cold-start setup time (ms)", [
                self._ms(M.MODEL_SETUP_TIME, stat) for stat in ("p90", "Maximum")]),
        )
        self.dashboard.add_widgets(
            self._graph("Async: time in backlog (ms)", [
                self._ms(M.TIME_IN_BACKLOG, stat) for stat in ("Average", "Maximum")]),
            self._graph("Async: backlog per instance and age of the oldest request (s)",
                        [self._metric(M.BACKLOG_PER_INSTANCE, "Average")],
                        right=[self._metric(M.OLDEST_REQUEST_AGE, "Maximum")]),
            self._graph("Serverless: concurrency utilisation and spillover",
                        [self._metric(M.SERVERLESS_CONCURRENCY_UTILIZATION, "Maximum")],
                        right=[self._metric(M.SERVERLESS_SPILLOVER, "Sum")],
                        left_y_axis=cw.YAxisProps(min=0, max=1)),
        )
        if components:
            self._component_rows()
        function = advisor.function
        latency = CATALOGUE[M.MODEL_LATENCY]
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
                expression=(f"SORT(SEARCH('{{{latency.namespace},{','.join(latency.dimensions)}}} "
                            f"MetricName=\"{latency.name}\"', 'p90', 60), MAX, DESC, 10) / 1000"),
                label="", period=PERIOD)], width=6),
        )
        CfnOutput(self, "DashboardUrl", value=(
            f"https://{Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region={Aws.REGION}"
            f"#dashboards/dashboard/{config.stack_name}-{Aws.REGION}"))

    def _component_rows(self) -> None:
        """The picked inference component: its latency, copies' load and utilisation of its reservation."""
        self.dashboard.add_widgets(
            self._latency(M.MODEL_LATENCY, "Inference component: model latency (ms)", component=True),
            self._graph("Inference component: concurrent requests and invocations per copy", [
                self._metric(M.CONCURRENT_REQUESTS_PER_COPY, "Maximum", component=True)],
                right=[self._metric(M.INVOCATIONS_PER_COPY, "Sum", component=True)]),
            self._graph("Inference component: utilisation of the copy's reservation (%)", [
                self._metric(name, "Average", component=True) for name in (
                    M.GPU_UTILIZATION_NORMALIZED, M.GPU_MEMORY_UTILIZATION_NORMALIZED, M.CPU_UTILIZATION_NORMALIZED,
                    M.MEMORY_UTILIZATION_NORMALIZED)],
                right=[self._metric(M.NO_CAPACITY_INVOCATION_FAILURES, "Sum", component=True)],
                left_y_axis=cw.YAxisProps(min=0, max=100)),
        )

    def _metric(self, name: M, stat: str, component: bool = False) -> cw.Metric:
        """The picked endpoint's (or IC's) metric, with the dimensions the catalogue says it is published under."""
        entry = CATALOGUE[name]
        published = entry.dimensions_for(Kind.INFERENCE_COMPONENTS if component else None) or entry.dimensions
        return cw.Metric(namespace=entry.namespace.value, metric_name=entry.name.value,
                         dimensions_map={d: self._dimensions[d] for d in published},
                         statistic=stat, period=PERIOD, label=f"{entry.name.value} {stat}")

    def _ms(self, name: M, stat: str, component: bool = False) -> cw.MathExpression:
        """A microsecond metric shown in milliseconds."""
        metric_id = f"{name.value}_{stat}".lower()  # ids must be unique within a graph
        return cw.MathExpression(expression=f"{metric_id} / 1000",
                                 using_metrics={metric_id: self._metric(name, stat, component)},
                                 label=f"{name.value} {stat}", period=PERIOD)

    def _latency(self, name: M, title: str, component: bool = False) -> cw.GraphWidget:
        """Percentiles where AWS documents them for the metric; else the average and the maximum."""
        stats = PERCENTILES if CATALOGUE[name].percentiles_documented else ("Average", "Maximum")
        return self._graph(title, [self._ms(name, stat, component) for stat in stats])

    @staticmethod
    def _graph(title: str, metrics: list[cw.IMetric], width: int = WIDTH, left_y_axis: cw.YAxisProps | None = None,
               right: list[cw.IMetric] | None = None) -> cw.GraphWidget:
        return cw.GraphWidget(title=title, left=metrics, right=right, width=width, height=HEIGHT,
                              left_y_axis=left_y_axis)


def _picker(dimension: str, label: str, values: list[cw.VariableValue]) -> cw.DashboardVariable:
    """A drop-down that rewrites `dimension` in every graph of the dashboard."""
    return cw.DashboardVariable(
        id=dimension, type=cw.VariableType.PROPERTY, value=dimension, label=label,
        input_type=cw.VariableInputType.SELECT, values=cw.Values.from_values(*values),
        default_value=cw.DefaultValue.value(values[0].value))
