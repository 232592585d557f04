"""Which ML framework (and version) a container image runs, read from its ECR repository name and tag."""

from __future__ import annotations

import re
from dataclasses import dataclass

NEO_CLOUD_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/neo-supported-cloud.html"


@dataclass(frozen=True)
class Framework:
    """A framework as the rules see it.

    `neo`: the key of its row in NEO_VERSIONS, None when Neo does not compile it; `llm_server`: an LLM serving
    container (it manages its own batching and GPUs; compilation goes through its own engine, never Neo).
    """

    name: str
    gpu_builds: bool
    neo: str | None
    inferentia_candidate: bool
    llm_server: bool = False
    triton: bool = False


# Ordered: the first pattern that matches the repository name wins (TGI before Hugging Face before PyTorch).
_FRAMEWORKS: tuple[tuple[str, Framework], ...] = (
    (r"tgi|text-generation-inference", Framework("Hugging Face TGI", True, None, False, llm_server=True)),
    (r"(^|-)tei(-|$)|text-embeddings-inference", Framework("Hugging Face TEI", True, None, False)),
    (r"djl|\blmi\b|large-model-inference", Framework("DJL / LMI", True, None, False, llm_server=True)),
    (r"vllm", Framework("vLLM", True, None, False, llm_server=True)),
    (r"tensorrt-?llm|trtllm", Framework("TensorRT-LLM", True, None, False, llm_server=True)),
    (r"triton", Framework("NVIDIA Triton", True, None, False, llm_server=True, triton=True)),
    (r"huggingface-pytorch", Framework("Hugging Face (PyTorch)", True, "PyTorch", True)),
    (r"huggingface-tensorflow", Framework("Hugging Face (TensorFlow)", True, "TensorFlow", True)),
    (r"pytorch", Framework("PyTorch", True, "PyTorch", True)),
    (r"tensorflow", Framework("TensorFlow", True, "TensorFlow", True)),
    (r"mxnet", Framework("MXNet", True, "MXNet", False)),
    (r"xgboost", Framework("XGBoost", False, "XGBoost", False)),
    (r"onnx", Framework("ONNX Runtime", True, "ONNX", False)),
    (r"sklearn|scikit", Framework("scikit-learn", False, None, False)),
)

# Framework versions SageMaker Neo compiles for cloud instances (major, minor), from NEO_CLOUD_DOC:
# MXNet 1.8.0; ONNX 1.7.0; Keras 2.2.4; PyTorch 1.4-1.8, 1.12, 1.13, 2.0; TensorFlow 1.15.3 or 2.9;
# XGBoost 1.3.3.
NEO_VERSIONS: dict[str, frozenset[tuple[int, int]]] = {
    "MXNet": frozenset({(1, 8)}),
    "ONNX": frozenset({(1, 7)}),
    "Keras": frozenset({(2, 2)}),
    "PyTorch": frozenset({(1, 4), (1, 5), (1, 6), (1, 7), (1, 8), (1, 12), (1, 13), (2, 0)}),
    "TensorFlow": frozenset({(1, 15), (2, 9)}),
    "XGBoost": frozenset({(1, 3)}),
}

# The ml_* values of the SageMaker API's TargetDevice enum (botocore's sagemaker model; a test compares):
# the cloud instance families Neo compiles for. ml_eia2 is Elastic Inference, which AWS has retired.
NEO_TARGET_DEVICES = ("ml_m4", "ml_m5", "ml_m6g", "ml_c4", "ml_c5", "ml_c6g", "ml_p2", "ml_p3", "ml_g4dn",
                      "ml_inf1", "ml_inf2", "ml_trn1", "ml_eia2")

# Repositories and tags of images that are already compiled: Neo's runtime images (sagemaker-inference-<framework>,
# sagemaker-neo-<framework>) and the Neuron SDK images for Inferentia/Trainium.
_COMPILED = re.compile(r"^sagemaker-inference-|neo|neuron|-inf-|inf1|inf2|inferentia")
# The framework version at the start of a DLC tag: "2.3.0-cpu-py311", "1.5-1-arm64", "2.1.0-transformers4.37.0".
_VERSION = re.compile(r"^(\d+)\.(\d+)")


@dataclass(frozen=True)
class ImageInfo:
    """What an image URI tells: its framework (None when unknown), version and whether it is already compiled."""

    uri: str
    framework: Framework | None
    compiled: bool
    version: tuple[int, int] | None = None

    @property
    def neo_compilable(self) -> bool:
        """A framework image whose framework and version Neo compiles for cloud instances (and not yet compiled)."""
        fw = self.framework
        return (fw is not None and fw.neo is not None and not fw.llm_server and not self.compiled
                and self.version is not None and self.version in NEO_VERSIONS[fw.neo])


def identify_image(uri: str | None) -> ImageInfo:
    """Classify a container image URI such as '763104351884.dkr.ecr.../pytorch-inference:2.3.0-gpu-py311'."""
    uri = uri or ""
    repository_and_tag = uri.rsplit("/", 1)[-1].lower()
    repository, _, tag = repository_and_tag.split("@", 1)[0].partition(":")
    framework = next((fw for pattern, fw in _FRAMEWORKS if re.search(pattern, repository)), None)
    version = _VERSION.match(tag)
    return ImageInfo(uri, framework, bool(_COMPILED.search(repository_and_tag)),
                     (int(version.group(1)), int(version.group(2))) if version else None)
