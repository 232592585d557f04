"""The API models of the botocore the Lambda runtime ships (requirements-lambda-runtime.txt), for parity tests.

The advisor deploys without a boto3 of its own: it runs on the runtime's. Clients built with these models
validate requests and parse responses as that older botocore does (an unknown request parameter fails, an
unknown response member is dropped), so a diagnosis that comes out the same with them needs nothing newer.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import botocore.loaders
import pytest

REPO = Path(__file__).resolve().parents[1]
# Every service the Lambda calls: the engine's evidence, then SNS, the Slack secret and the idempotency table.
SERVICES = ("sagemaker", "cloudwatch", "application-autoscaling", "sns", "secretsmanager", "dynamodb")


def runtime_botocore_version() -> str:
    """The version pinned in requirements-lambda-runtime.txt."""
    text = (REPO / "requirements-lambda-runtime.txt").read_text(encoding="utf-8")
    return re.search(r"^botocore==(\S+)", text, re.MULTILINE).group(1)


def runtime_loader(folder: Path) -> botocore.loaders.Loader:
    """A loader that finds the runtime botocore's models for SERVICES first, unpacked into `folder`."""
    version = runtime_botocore_version()
    wheel = Path(sys.prefix) / "lambda-runtime" / f"botocore-{version}-py3-none-any.whl"
    if not wheel.is_file():
        pytest.fail(f"{wheel} is missing: run `make setup` (it downloads the Lambda runtime's botocore {version})")
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist()
                   if any(name.startswith(f"botocore/data/{service}/") for service in SERVICES)]
        assert {name.split("/")[2] for name in members} == set(SERVICES)
        archive.extractall(folder, members)
    loader = botocore.loaders.create_loader()
    loader.search_paths.insert(0, str(folder / "botocore" / "data"))
    return loader
