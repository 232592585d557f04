"""The instance table matches the hosting instance types AWS's own API model accepts."""

from __future__ import annotations

import botocore.session
import pytest

from advisor.frameworks import identify_image
from advisor.instances import INSTANCE_SPECS, instance_spec


def hosting_types() -> set[str]:
    model = botocore.session.get_session().get_service_model("sagemaker")
    return set(model.shape_for("ProductionVariantInstanceType").enum)


def test_table_is_exactly_the_hosting_types():
    assert set(INSTANCE_SPECS) == hosting_types()


@pytest.mark.parametrize(("name", "processor", "vcpus", "accelerators"), [
    ("ml.m5.2xlarge", "cpu", 8, 0), ("ml.c8g.medium", "cpu", 1, 0),
    ("ml.t2.medium", "cpu", 2, 0), ("ml.g5.12xlarge", "gpu", 48, 4), ("ml.p4d.24xlarge", "gpu", 96, 8),
    ("ml.inf2.48xlarge", "inferentia", 192, 12), ("ml.trn1.32xlarge", "trainium", 128, 16),
])
def test_known_types(name, processor, vcpus, accelerators):
    spec = instance_spec(name)
    assert (spec.processor, spec.vcpus, spec.accelerators) == (processor, vcpus, accelerators)


def test_new_sizes_are_inferred_and_garbage_is_not():
    assert instance_spec("ml.g5.96xlarge") is None
    assert instance_spec("ml.g9.2xlarge").processor == "gpu"
    assert instance_spec("ml.m5.2xlarg") is None and instance_spec("") is None


@pytest.mark.parametrize(("uri", "framework", "compiled"), [
    ("763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker", "PyTorch", False),
    ("763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04", "Hugging Face TGI", False),
    ("763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference-neuronx:2.1.2-neuronx-py310-sdk2.18.2-ubuntu20.04", "PyTorch", True),
    ("785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-inference-pytorch:1.8-cpu-py3", "PyTorch", True),
    ("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3", "scikit-learn", False),
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-custom-server:latest", None, False),
])
def test_images(uri, framework, compiled):
    info = identify_image(uri)
    assert (info.framework.name if info.framework else None, info.compiled) == (framework, compiled)
