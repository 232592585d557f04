"""Application Auto Scaling activities for SageMaker variants, which moto 5.2.5 does not have at all.

No API creates scaling activities, so SPEC §6 lets a scenario's UpdateEndpointWeightsAndCapacities stand for
the activity that made it: `record_scaling` turns each changed instance count into an activity, InProgress
while the change is less than DEPLOYMENT_S old at the replay clock (the endpoint then shows `Updating`, the
old count current and the new one desired, as DescribeEndpoint does mid-scaling) and Successful after.
Descriptions and causes follow what Application Auto Scaling writes for target tracking on a SageMaker
variant ("Setting desired instance count to 4.", "monitor alarm TargetTracking-...-AlarmHigh-... in state
ALARM triggered policy ..."): AlarmHigh for a scale-out, AlarmLow for a scale-in.

The activities live on moto's Application Auto Scaling backend object, so moto's reset drops them too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.sagemaker.models import FakeEndpoint

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def _activities(account: str, region: str) -> list[dict[str, Any]]:
    # Kept as an extra attribute of moto's backend object, so moto's reset drops it with everything else.
    backend = applicationautoscaling_backends[account][region]
    if not hasattr(backend, "standin_activities"):
        setattr(backend, "standin_activities", [])  # noqa: B010  (an attribute moto's class does not declare)
    activities: list[dict[str, Any]] = getattr(backend, "standin_activities")  # noqa: B009
    return activities


def policy_name(account: str, region: str, resource_id: str, dimension: str = VARIANT_DIMENSION) -> str:
    """The scaling policy on a scalable target, as an activity's Cause names it."""
    backend = applicationautoscaling_backends[account][region]
    names = [p.policy_name for p in backend.policies.values()
             if p.resource_id == resource_id and p.scalable_dimension == dimension]
    return names[0] if names else "target-tracking"


def add_activity(account: str, region: str, activity: dict[str, Any]) -> None:
    """Record one scaling activity (DescribeScalingActivities shape) made by another stand-in module."""
    _activities(account, region).append(activity)


def record_scaling(account: str, region: str, endpoint: FakeEndpoint, params: Mapping[str, Any],
                   previous: Mapping[str, int | None], at: datetime, now: datetime, duration_s: int) -> bool:
    """Record the activity behind an UpdateEndpointWeightsAndCapacities made at `at`; True while in progress."""
    in_progress = now - at < timedelta(seconds=duration_s)
    for change in params.get("DesiredWeightsAndCapacities", []):
        desired = change.get("DesiredInstanceCount")
        variant = change["VariantName"]
        before = previous.get(variant)
        if desired is None or desired == before:
            continue
        resource_id = f"endpoint/{endpoint.endpoint_name}/variant/{variant}"
        direction = "High" if before is None or desired > before else "Low"
        policy = policy_name(account, region, resource_id)
        activity: dict[str, Any] = {
            "ActivityId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{resource_id}@{at.isoformat()}")),
            "ServiceNamespace": "sagemaker", "ResourceId": resource_id, "ScalableDimension": VARIANT_DIMENSION,
            "Description": f"Setting desired instance count to {desired}.",
            "Cause": (f"monitor alarm TargetTracking-{resource_id}-Alarm{direction}-"
                      f"{uuid.uuid5(uuid.NAMESPACE_URL, resource_id)} in state ALARM triggered policy {policy}"),
            "StartTime": at.timestamp(),
            "StatusCode": "InProgress" if in_progress else "Successful",
            "StatusMessage": ("Waiting for change to be fulfilled by sagemaker." if in_progress else
                              f"Successfully set desired instance count to {desired}. Change successfully "
                              "fulfilled by sagemaker."),
        }
        if not in_progress:
            activity["EndTime"] = (at + timedelta(seconds=duration_s)).timestamp()
        _activities(account, region).append(activity)
        if in_progress:
            for summary in endpoint.production_variants or []:
                if summary.get("VariantName") == variant:
                    summary["CurrentInstanceCount"] = before
                    summary["DesiredInstanceCount"] = desired
            endpoint.endpoint_status = "Updating"
    return in_progress


def _describe_scaling_activities(self: ApplicationAutoScalingResponse) -> str:
    namespace = self._get_param("ServiceNamespace")
    resource_id = self._get_param("ResourceId")
    dimension = self._get_param("ScalableDimension")
    limit = self._get_int_param("MaxResults") or 50
    found = [a for a in _activities(self.current_account, self.region)
             if a["ServiceNamespace"] == namespace and resource_id in (None, a["ResourceId"])
             and dimension in (None, a["ScalableDimension"])]
    found.sort(key=lambda a: a["StartTime"], reverse=True)  # newest first, as AWS lists them
    return json.dumps({"ScalingActivities": found[:limit]})


PATCHES: tuple[tuple[Any, str, Any], ...] = (
    (ApplicationAutoScalingResponse, "describe_scaling_activities", _describe_scaling_activities),
)
