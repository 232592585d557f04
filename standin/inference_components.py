"""SageMaker inference components (ICs), which moto 5.2.5 does not have at all.

CreateInferenceComponent, DescribeInferenceComponent, ListInferenceComponents and
UpdateInferenceComponentRuntimeConfig, and endpoint configs whose variant has instances but no model (an IC
host), answered as the SageMaker API model (botocore) shapes them. SPEC §6:
an IC's desired copy count is the last `CopyCount` set; its current copy count is what fits. Copies are
placed, ICs in creation order, on the variant's current instances by their reserved accelerators, then CPU
cores (instance memory is not modelled: the advisor's instance table has no memory sizes); the rest wait
unplaced, and PlacementStatus shows where the placed ones are. A scenario's
UpdateInferenceComponentRuntimeConfig also stands for the copy-count scaling activity that made it
(`record_copy_scaling`), InProgress while less than the deployment time old at the replay clock.

The ICs live on moto's SageMaker backend object, so moto's reset drops them too.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse

from standin import autoscaling

COPY_COUNT_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
# (vCPUs, accelerators) of the instance types inference components are placed on here, from AWS's instance
# specifications; the stand-in keeps its own table so that it never agrees with the product by sharing a mistake.
_G_SIZES = {"xlarge": (4, 1), "2xlarge": (8, 1), "4xlarge": (16, 1), "8xlarge": (32, 1), "12xlarge": (48, 4),
            "16xlarge": (64, 1), "24xlarge": (96, 4), "48xlarge": (192, 8)}
CAPACITY: dict[str, tuple[int, int]] = {
    **{f"ml.{family}.{size}": counts for family in ("g5", "g6", "g6e") for size, counts in _G_SIZES.items()},
    "ml.p4d.24xlarge": (96, 8), "ml.p4de.24xlarge": (96, 8), "ml.p5.48xlarge": (192, 8),
    "ml.inf2.xlarge": (4, 1), "ml.inf2.8xlarge": (32, 1), "ml.inf2.24xlarge": (96, 6), "ml.inf2.48xlarge": (192, 12),
    "ml.c5.2xlarge": (8, 0), "ml.m5.2xlarge": (8, 0),
}


def _components(backend: SageMakerModelBackend) -> dict[str, dict[str, Any]]:
    # Kept as an extra attribute of moto's backend object, so moto's reset drops it with everything else.
    if not hasattr(backend, "standin_components"):
        setattr(backend, "standin_components", {})  # noqa: B010  (an attribute moto's class does not declare)
    components: dict[str, dict[str, Any]] = getattr(backend, "standin_components")  # noqa: B009
    return components


def _arn(backend: SageMakerModelBackend, name: str) -> str:
    return f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:inference-component/{name}"


def _find(backend: SageMakerModelBackend, name: str) -> dict[str, Any]:
    component = _components(backend).get(name)
    if component is None:
        raise ValidationError(message=f"Could not find inference component '{_arn(backend, name)}'.")
    return component


def _variant_instances(backend: SageMakerModelBackend, endpoint_name: str, variant: str) -> tuple[str | None, int]:
    """(instance type, current instance count) of an endpoint's variant."""
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        return None, 0
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    instance_type = next((v.get("InstanceType") for v in (config.production_variants if config else [])
                          if v.get("VariantName") == variant), None)
    count = next((v.get("CurrentInstanceCount") or 0 for v in endpoint.production_variants or []
                  if v.get("VariantName") == variant), 0)
    return instance_type, count


def placed_copies(backend: SageMakerModelBackend, endpoint_name: str, variant: str) -> dict[str, int]:
    """IC name → copies that fit on the variant's instances, ICs in creation order (SPEC §6)."""
    instance_type, count = _variant_instances(backend, endpoint_name, variant)
    capacity = CAPACITY.get(instance_type or "")
    free = [[float(capacity[1]), float(capacity[0])] for _ in range(count)] if capacity else []
    placed: dict[str, int] = {}
    for component in _components(backend).values():
        if component["EndpointName"] != endpoint_name or component["VariantName"] != variant:
            continue
        needs = component["Specification"].get("ComputeResourceRequirements") or {}
        accelerators = float(needs.get("NumberOfAcceleratorDevicesRequired") or 0)
        cores = float(needs.get("NumberOfCpuCoresRequired") or 0)
        placed[component["InferenceComponentName"]] = 0
        for _ in range(component["DesiredCopyCount"]):
            room = next((left for left in free if left[0] >= accelerators and left[1] >= cores), None)
            if room is None:
                break
            room[0] -= accelerators
            room[1] -= cores
            placed[component["InferenceComponentName"]] += 1
    return placed


_ORIGINAL_VALIDATE_VARIANTS = SageMakerModelBackend.validate_production_variants


def _validate_production_variants(self: SageMakerModelBackend, production_variants: list[dict[str, Any]]) -> None:
    """A variant without ModelName hosts ICs (moto requires a model on every variant)."""
    _ORIGINAL_VALIDATE_VARIANTS(self, [v for v in production_variants if "ModelName" in v])


def _create_inference_component(self: SageMakerResponse) -> str:
    backend = self.sagemaker_backend
    name = self._get_param("InferenceComponentName")
    endpoint_name = self._get_param("EndpointName")
    variant = self._get_param("VariantName")
    if name in _components(backend):
        raise ValidationError(message=f"Cannot create already existing inference component '{_arn(backend, name)}'.")
    backend.describe_endpoint(endpoint_name)  # "Could not find endpoint ..." as SageMaker says it
    if variant is not None and _variant_instances(backend, endpoint_name, variant)[0] is None:
        raise ValidationError(message=f"Variant '{variant}' of endpoint '{endpoint_name}' has no instances to "
                                      "host inference components.")
    specification = dict(self._get_param("Specification") or {})
    model_name = specification.get("ModelName")
    if model_name is not None:
        backend.describe_model(model_name)  # "Could not find model ..."
    now = datetime.now(UTC)
    _components(backend)[name] = {
        "InferenceComponentName": name, "EndpointName": endpoint_name, "VariantName": variant,
        "Specification": specification,
        "DesiredCopyCount": int((self._get_param("RuntimeConfig") or {}).get("CopyCount", 1)),
        "CreationTime": now, "LastModifiedTime": now,
    }
    return json.dumps({"InferenceComponentArn": _arn(backend, name)})


def _specification_summary(backend: SageMakerModelBackend, specification: dict[str, Any]) -> dict[str, Any]:
    """The Specification as DescribeInferenceComponent shows it: the container's image as DeployedImage."""
    summary = {key: value for key, value in specification.items() if key != "Container"}
    container = specification.get("Container")
    if container is None and specification.get("ModelName"):
        # An IC made from a model runs the model's container.
        container = backend.describe_model(specification["ModelName"]).response_object.get("PrimaryContainer")
    if container:
        shown: dict[str, Any] = {key: value for key, value in container.items()
                                 if key in ("ArtifactUrl", "Environment")}
        if container.get("Image"):
            shown["DeployedImage"] = {"SpecifiedImage": container["Image"], "ResolvedImage": container["Image"]}
        summary["Container"] = shown
    return summary


def _describe_inference_component(self: SageMakerResponse) -> str:
    backend = self.sagemaker_backend
    component = _find(backend, self._get_param("InferenceComponentName"))
    instance_type, _ = _variant_instances(backend, component["EndpointName"], component["VariantName"])
    current = placed_copies(backend, component["EndpointName"], component["VariantName"]).get(
        component["InferenceComponentName"], 0)
    runtime: dict[str, Any] = {"DesiredCopyCount": component["DesiredCopyCount"], "CurrentCopyCount": current}
    if current and instance_type:
        runtime["PlacementStatus"] = [{"InstanceType": instance_type, "CurrentCopyCount": current}]
    endpoint = backend.endpoints.get(component["EndpointName"])
    return json.dumps({
        "InferenceComponentName": component["InferenceComponentName"],
        "InferenceComponentArn": _arn(backend, component["InferenceComponentName"]),
        "EndpointName": component["EndpointName"], "EndpointArn": endpoint.arn if endpoint else None,
        "VariantName": component["VariantName"],
        "Specification": _specification_summary(backend, component["Specification"]),
        "RuntimeConfig": runtime,
        "CreationTime": component["CreationTime"].timestamp(),
        "LastModifiedTime": component["LastModifiedTime"].timestamp(),
        # Updating while copies wait for room, as SageMaker shows a copy-count change it cannot finish yet.
        "InferenceComponentStatus": "InService" if current >= component["DesiredCopyCount"] else "Updating",
    })


def _list_inference_components(self: SageMakerResponse) -> str:
    backend = self.sagemaker_backend
    endpoint_name = self._get_param("EndpointNameEquals")
    variant = self._get_param("VariantNameEquals")
    found = [c for c in _components(backend).values()
             if endpoint_name in (None, c["EndpointName"]) and variant in (None, c["VariantName"])]
    return json.dumps({"InferenceComponents": [{
        "InferenceComponentName": c["InferenceComponentName"],
        "InferenceComponentArn": _arn(backend, c["InferenceComponentName"]),
        "EndpointName": c["EndpointName"], "EndpointArn": backend.endpoints[c["EndpointName"]].arn,
        "VariantName": c["VariantName"], "InferenceComponentStatus": "InService",
        "CreationTime": c["CreationTime"].timestamp(), "LastModifiedTime": c["LastModifiedTime"].timestamp(),
    } for c in found if c["EndpointName"] in backend.endpoints]})


def _update_inference_component_runtime_config(self: SageMakerResponse) -> str:
    backend = self.sagemaker_backend
    component = _find(backend, self._get_param("InferenceComponentName"))
    component["PreviousCopyCount"] = component["DesiredCopyCount"]
    component["DesiredCopyCount"] = int(self._get_param("DesiredRuntimeConfig")["CopyCount"])
    component["LastModifiedTime"] = datetime.now(UTC)
    return json.dumps({"InferenceComponentArn": _arn(backend, component["InferenceComponentName"])})


def stamp_component(account: str, region: str, operation: str, params: dict[str, Any], when: datetime,
                    now: datetime, duration_s: int) -> None:
    """Creation / last-modified time of a scenario's IC call at `when`; a copy-count change also records the
    Application Auto Scaling activity that made it (SPEC §6)."""
    backend = sagemaker_backends[account][region]
    component = _find(backend, params["InferenceComponentName"])
    if operation == "CreateInferenceComponent":
        component["CreationTime"] = component["LastModifiedTime"] = when
        return
    component["LastModifiedTime"] = when
    before, desired = component.get("PreviousCopyCount"), component["DesiredCopyCount"]
    if desired == before:
        return
    in_progress = now - when < timedelta(seconds=duration_s)
    resource_id = f"inference-component/{component['InferenceComponentName']}"
    direction = "High" if before is None or desired > before else "Low"
    activity: dict[str, Any] = {
        "ActivityId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{resource_id}@{when.isoformat()}")),
        "ServiceNamespace": "sagemaker", "ResourceId": resource_id, "ScalableDimension": COPY_COUNT_DIMENSION,
        "Description": f"Setting desired copy count to {desired}.",
        "Cause": (f"monitor alarm TargetTracking-{resource_id}-Alarm{direction}-"
                  f"{uuid.uuid5(uuid.NAMESPACE_URL, resource_id)} in state ALARM triggered policy "
                  f"{autoscaling.policy_name(account, region, resource_id, COPY_COUNT_DIMENSION)}"),
        "StartTime": when.timestamp(),
        "StatusCode": "InProgress" if in_progress else "Successful",
        "StatusMessage": ("Waiting for change to be fulfilled by sagemaker." if in_progress else
                          f"Successfully set desired copy count to {desired}. Change successfully fulfilled by "
                          "sagemaker."),
    }
    if not in_progress:
        activity["EndTime"] = (when + timedelta(seconds=duration_s)).timestamp()
    autoscaling.add_activity(account, region, activity)


OPERATIONS = frozenset({"CreateInferenceComponent", "UpdateInferenceComponentRuntimeConfig"})

PATCHES: tuple[tuple[Any, str, Any], ...] = (
    (SageMakerModelBackend, "validate_production_variants", _validate_production_variants),
    (SageMakerResponse, "create_inference_component", _create_inference_component),
    (SageMakerResponse, "describe_inference_component", _describe_inference_component),
    (SageMakerResponse, "list_inference_components", _list_inference_components),
    (SageMakerResponse, "update_inference_component_runtime_config", _update_inference_component_runtime_config),
)
