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
    "medium": 2, "large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "6xlarge": 24, "8xlarge": 32, "10xlarge": 40,
    "9xlarge": 36, "12xlarge": 48, "16xlarge": 64, "18xlarge": 72, "24xlarge": 96, "32xlarge": 128, "36xlarge": 144,
    "48xlarge": 192,
}

# Size ladders shared by the CPU families of one generation.
_SIZES_GRAVITON = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_SIZES_GRAVITON_D = ("medium", *_SIZES_GRAVITON)
_SIZES_GRAVITON_4 = (*_SIZES_GRAVITON_D, "24xlarge", "48xlarge")
_SIZES_M5 = ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge")
_SIZES_6TH_GEN = (*_SIZES_GRAVITON, "24xlarge", "32xlarge")
_SIZES_7TH_GEN = (*_SIZES_GRAVITON, "24xlarge", "48xlarge")
_SIZES_C5 = ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge")
_SIZES_T2 = ("medium", "large", "xlarge", "2xlarge")
_SIZES_M4 = ("xlarge", "2xlarge", "4xlarge", "10xlarge", "16xlarge")
_SIZES_C4 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge")

_CPU_FAMILIES: dict[str, tuple[str, ...]] = {
    "t2": _SIZES_T2,
    "m4": _SIZES_M4,
    "m5": _SIZES_M5,
    "m5d": _SIZES_M5,
    "m6i": _SIZES_6TH_GEN,
    "m7i": _SIZES_7TH_GEN,
    "m6g": _SIZES_GRAVITON,
    "m6gd": _SIZES_GRAVITON,
    "c4": _SIZES_C4,
    "c5": _SIZES_C5,
    "c5d": _SIZES_C5,
    "c6i": _SIZES_6TH_GEN,
    "c6in": _SIZES_6TH_GEN,
    "c7i": _SIZES_7TH_GEN,
    "c6g": _SIZES_GRAVITON,
    "c6gd": _SIZES_GRAVITON,
    "c6gn": _SIZES_GRAVITON,
    "c7g": _SIZES_GRAVITON,
    "r5": _SIZES_M5,
    "r5d": _SIZES_M5,
    "r6i": _SIZES_6TH_GEN,
    "r7i": _SIZES_7TH_GEN,
    "r6g": _SIZES_GRAVITON,
    "r6gd": _SIZES_GRAVITON,
    "r7gd": _SIZES_GRAVITON_D,
    "r8g": _SIZES_GRAVITON_4,
    "m8g": _SIZES_GRAVITON_4,
    "c8g": _SIZES_GRAVITON_4,
}
# Graviton "medium" sizes have one vCPU (t2.medium has two).
_ONE_VCPU_MEDIUM = frozenset({"c8g", "m8g", "r8g", "r7gd"})

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
    "p4d": ("gpu", "NVIDIA A100", {"24xlarge": (96, 8)}),
    "p4de": ("gpu", "NVIDIA A100 80GB", {"24xlarge": (96, 8)}),
    "p5": ("gpu", "NVIDIA H100", {"4xlarge": (16, 1), "48xlarge": (192, 8)}),
    "p5e": ("gpu", "NVIDIA H200", {"48xlarge": (192, 8)}),
    "p5en": ("gpu", "NVIDIA H200", {"48xlarge": (192, 8)}),
    "p6-b200": ("gpu", "NVIDIA B200", {"48xlarge": (192, 8)}),
    "p6-b300": ("gpu", "NVIDIA B300", {"48xlarge": (192, 8)}),
    "p6e-gb200": ("gpu", "NVIDIA GB200", {"36xlarge": (144, 4)}),
    "g7": ("gpu", "NVIDIA RTX PRO 6000", {"2xlarge": (8, 1), "4xlarge": (16, 1), "8xlarge": (32, 1),
                                          "12xlarge": (48, 2), "24xlarge": (96, 4), "48xlarge": (192, 8)}),
    "g7e": ("gpu", "NVIDIA RTX PRO 6000", {"2xlarge": (8, 1), "4xlarge": (16, 1), "8xlarge": (32, 1),
                                           "12xlarge": (48, 2), "24xlarge": (96, 4), "48xlarge": (192, 8)}),
    "dl1": ("gpu", "Habana Gaudi", {"24xlarge": (96, 8)}),
    "inf1": ("inferentia", "AWS Inferentia", {"xlarge": (4, 1), "2xlarge": (8, 1), "6xlarge": (24, 4),
                                              "24xlarge": (96, 16)}),
    "inf2": ("inferentia", "AWS Inferentia2", {"xlarge": (4, 1), "8xlarge": (32, 1), "24xlarge": (96, 6),
                                               "48xlarge": (192, 12)}),
    "trn1": ("trainium", "AWS Trainium", {"2xlarge": (8, 1), "32xlarge": (128, 16)}),
    "trn1n": ("trainium", "AWS Trainium", {"32xlarge": (128, 16)}),
    "trn2": ("trainium", "AWS Trainium2", {"48xlarge": (192, 16)}),
}

_TYPE_PATTERN = re.compile(r"^ml\.([a-z]+[0-9]+[a-z0-9-]*)\.([0-9]*(?:medium|large|xlarge))$")


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
            vcpus = 1 if size == "medium" and family in _ONE_VCPU_MEDIUM else _VCPUS_BY_SIZE[size]
            table[name] = InstanceSpec(name, family, "cpu", vcpus, 0)
    for family, (processor, accelerator, accelerated_sizes) in _ACCELERATED.items():
        for size, (vcpus, count) in accelerated_sizes.items():
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
