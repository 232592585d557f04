"""AWS console links for an alarm and its endpoint, shared by the findings and the messages."""

from __future__ import annotations

from urllib.parse import quote


def console_links(region: str | None, alarm_name: str | None, endpoint: str | None,
                  component: str | None = None) -> dict[str, str]:
    """Console pages for the alarm, the endpoint's metrics, the endpoint and its logs (empty without a region).

    For an inference component, its own metrics (dimension InferenceComponentName) in the CloudWatch console:
    no documented SageMaker console address for an IC page was found, so none is guessed.
    """
    if not region:
        return {}
    console = f"https://{region}.console.aws.amazon.com"
    links = {}
    if alarm_name:
        links["Alarm"] = f"{console}/cloudwatch/home?region={region}#alarmsV2:alarm/{quote(alarm_name, safe='')}"
    if endpoint:
        name = quote(endpoint, safe="")
        links["Metrics"] = (f"{console}/cloudwatch/home?region={region}#metricsV2:graph=~();search={name};"
                            "namespace=AWS/SageMaker;dimensions=EndpointName,VariantName")
        links["Endpoint"] = f"{console}/sagemaker/home?region={region}#/endpoints/{name}"
        # The logs console double-encodes the group name: "/" is "$252F".
        group = quote(f"/aws/sagemaker/Endpoints/{endpoint}", safe="").replace("%", "$25")
        links["Logs"] = f"{console}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{group}"
    if component:
        links["Component"] = (f"{console}/cloudwatch/home?region={region}#metricsV2:graph=~();"
                               f"search={quote(component, safe='')};namespace=AWS/SageMaker;"
                               "dimensions=InferenceComponentName")
    return links
