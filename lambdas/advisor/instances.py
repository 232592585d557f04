"""SageMaker ml.* instance types: processor kind, vCPU and accelerator counts.

Utilisation metrics are per core / per GPU (a 4-vCPU instance reads up to 400 %), so the rules need the
counts to turn CPUUtilization into "percent of the instance". Types not in the table are still classified
from their family letters and size name, so a brand-new size does not break a diagnosis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Processor = Literal["cpu", "gpu", "inferentia", "trainium"]

# vCPUs by size name, identical across the general-purpose, compute and memory families.
_VCPUS_BY_SIZE = {
    "medium": 2, "large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "6xlarge": 24, "8xlarge": 32,
    "9xlarge": 36, "12xlarge": 48, "16xlarge": 64, "18xlarge": 72, "24xlarge": 96, "32xlarge": 128,
    "48xlarge": 192,
}

_CPU_FAMILIES: dict[str, tuple[str, ...]] = {
    "t2": ("medium", "large", "xlarge", "2xlarge"),
    "t3": ("medium", "large", "xlarge", "2xlarge"),
    "m4": ("xlarge", "2xlarge", "4xlarge", "10xlarge", "16xlarge"),
    "m5": ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"),
    "m5d": ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"),
    "m6i": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    "m6id": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    "m7i": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"),
    "m6g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "m6gd": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "m7g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "c4": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge"),
    "c5": ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge"),
    "c5d": ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge"),
    "c5n": ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge"),
    "c6i": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    "c6id": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    "c6in": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    "c7i": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"),
    "c6g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "c6gd": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "c6gn": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "c7g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "r5": ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"),
    "r5d": ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"),
    "r6i": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    "r6id": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    "r7i": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"),
    "r6g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "r6gd": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "r7g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "r8g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"),
    "m8g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"),
    "c8g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"),
}
_VCPUS_BY_SIZE["10xlarge"] = 40

# Accelerated families: size -> (vCPUs, accelerators). GPUs for g*/p*, Neuron devices for inf*/trn*.
_ACCELERATED: dict[str, tuple[Processor, str, dict[str, tuple[int, int]]]] = {
    "g4dn": ("gpu", "NVIDIA T4", {"xlarge": (4, 1), "2xlarge": (8, 1), "4xlarge": (16, 1), "8xlarge": (32, 1),
                                  "12xlarge": (48, 4), "16xlarge": (64, 1)}),
    "g5": ("gpu", "NVIDIA A10G", {"xlarge": (4, 1), "2xlarge": (8, 1), "4xlarge": (16, 1), "8xlarge": (32, 1),
                                  "12xlarge": (48, 4), "16xlarge": (64, 1), "24xlarge": (96, 4),
                                  "48xlarge": (192, 8)}),
    "g6": ("gpu", "NVIDIA L4", {"xlarge": (4, 1), "2xlarge": (8, 1), "4xlarge": (16, 1), "8xlarge": (32, 1),
                                "12xlarge": (48, 4), "16xlarge": (64, 1), "24xlarge": (96, 4),
                                "48xlarge": (192, 8)}),
    "g6e": ("gpu", "NVIDIA L40S", {"xlarge": (4, 1), "2xlarge": (8, 1), "4xlarge": (16, 1), "8xlarge": (32, 1),
                                   "12xlarge": (48, 4), "16xlarge": (64, 1), "24xlarge": (96, 4),
                                   "48xlarge": (192, 8)}),
    "p2": ("gpu", "NVIDIA K80", {"xlarge": (4, 1), "8xlarge": (32, 8), "16xlarge": (64, 16)}),
    "p3": ("gpu", "NVIDIA V100", {"2xlarge": (8, 1), "8xlarge": (32, 4), "16xlarge": (64, 8)}),
    "p3dn": ("gpu", "NVIDIA V100", {"24xlarge": (96, 8)}),
    "p4d": ("gpu", "NVIDIA A100", {"24xlarge": (96, 8)}),
    "p4de": ("gpu", "NVIDIA A100 80GB", {"24xlarge": (96, 8)}),
    "p5": ("gpu", "NVIDIA H100", {"48xlarge": (192, 8)}),
    "p5e": ("gpu", "NVIDIA H200", {"48xlarge": (192, 8)}),
    "p5en": ("gpu", "NVIDIA H200", {"48xlarge": (192, 8)}),
    "inf1": ("inferentia", "AWS Inferentia", {"xlarge": (4, 1), "2xlarge": (8, 1), "6xlarge": (24, 4),
                                              "24xlarge": (96, 16)}),
    "inf2": ("inferentia", "AWS Inferentia2", {"xlarge": (4, 1), "8xlarge": (32, 1), "24xlarge": (96, 6),
                                               "48xlarge": (192, 12)}),
    "trn1": ("trainium", "AWS Trainium", {"2xlarge": (8, 1), "32xlarge": (128, 16)}),
    "trn1n": ("trainium", "AWS Trainium", {"32xlarge": (128, 16)}),
    "trn2": ("trainium", "AWS Trainium2", {"48xlarge": (192, 16)}),
}

_TYPE_PATTERN = re.compile(r"^ml\.([a-z]+[0-9]+[a-z]*)\.([0-9]*(?:medium|large|xlarge))$")


@dataclass(frozen=True)
class InstanceSpec:
    """What the rules need to know about one instance type."""

    name: str
    family: str
    processor: Processor
    vcpus: int
    accelerators: int
    accelerator: str | None = None

    @property
    def has_gpu(self) -> bool:
        """True for NVIDIA GPU instances."""
        return self.processor == "gpu"

    def describe(self) -> str:
        """Human summary, e.g. 'ml.g5.xlarge (4 vCPU, 1x NVIDIA A10G)'."""
        if self.accelerator:
            return f"{self.name} ({self.vcpus} vCPU, {self.accelerators}x {self.accelerator})"
        return f"{self.name} ({self.vcpus} vCPU, no GPU)"


def _build_table() -> dict[str, InstanceSpec]:
    table: dict[str, InstanceSpec] = {}
    for family, sizes in _CPU_FAMILIES.items():
        for size in sizes:
            name = f"ml.{family}.{size}"
            table[name] = InstanceSpec(name, family, "cpu", _VCPUS_BY_SIZE[size], 0)
    for family, (processor, accelerator, sizes) in _ACCELERATED.items():
        for size, (vcpus, count) in sizes.items():
            name = f"ml.{family}.{size}"
            table[name] = InstanceSpec(name, family, processor, vcpus, count, accelerator)
    return table


INSTANCE_SPECS: dict[str, InstanceSpec] = _build_table()


def _processor_of_family(family: str) -> Processor:
    if family.startswith("inf"):
        return "inferentia"
    if family.startswith("trn"):
        return "trainium"
    if family[0] in "gp":
        return "gpu"
    return "cpu"


def instance_spec(instance_type: str) -> InstanceSpec | None:
    """The spec of an ml.* instance type; unknown sizes of a recognisable family are inferred; else None."""
    known = INSTANCE_SPECS.get(instance_type)
    if known:
        return known
    match = _TYPE_PATTERN.match(instance_type or "")
    if not match or match.group(2) not in _VCPUS_BY_SIZE:
        return None
    family, size = match.groups()
    processor = _processor_of_family(family)
    accelerators = 1 if processor != "cpu" else 0
    return InstanceSpec(instance_type, family, processor, _VCPUS_BY_SIZE[size], accelerators,
                        "accelerator" if accelerators else None)
