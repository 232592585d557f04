"""Which ML framework a container image runs, read from its ECR repository name."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    """A framework as the rules see it."""

    name: str
    gpu_builds: bool
    neo_supported: bool
    inferentia_candidate: bool


# Ordered: the first pattern that matches the repository name wins (TGI before Hugging Face before PyTorch).
_FRAMEWORKS: tuple[tuple[str, Framework], ...] = (
    (r"tgi|text-generation-inference", Framework("Hugging Face TGI", True, False, False)),
    (r"(^|-)tei(-|$)|text-embeddings-inference", Framework("Hugging Face TEI", True, False, False)),
    (r"djl|\blmi\b|large-model-inference", Framework("DJL / LMI", True, False, False)),
    (r"triton", Framework("NVIDIA Triton", True, False, False)),
    (r"huggingface-pytorch", Framework("Hugging Face (PyTorch)", True, True, True)),
    (r"huggingface-tensorflow", Framework("Hugging Face (TensorFlow)", True, True, True)),
    (r"pytorch", Framework("PyTorch", True, True, True)),
    (r"tensorflow", Framework("TensorFlow", True, True, True)),
    (r"mxnet", Framework("MXNet", True, True, False)),
    (r"xgboost", Framework("XGBoost", False, True, False)),
    (r"onnx", Framework("ONNX Runtime", True, True, False)),
    (r"sklearn|scikit", Framework("scikit-learn", False, False, False)),
)

# Repositories and tags of images that are already compiled: Neo's runtime images (sagemaker-inference-<framework>,
# sagemaker-neo-<framework>) and the Neuron SDK images for Inferentia/Trainium.
_COMPILED = re.compile(r"^sagemaker-inference-|neo|neuron|-inf-|inf1|inf2|inferentia")


@dataclass(frozen=True)
class ImageInfo:
    """What an image URI tells: its framework (None when unknown) and whether it is already compiled."""

    uri: str
    framework: Framework | None
    compiled: bool


def identify_image(uri: str | None) -> ImageInfo:
    """Classify a container image URI such as '763104351884.dkr.ecr.../pytorch-inference:2.3.0-gpu-py311'."""
    uri = uri or ""
    repository_and_tag = uri.rsplit("/", 1)[-1].lower()
    repository = repository_and_tag.split(":", 1)[0].split("@", 1)[0]
    framework = next((fw for pattern, fw in _FRAMEWORKS if re.search(pattern, repository)), None)
    return ImageInfo(uri, framework, bool(_COMPILED.search(repository_and_tag)))
