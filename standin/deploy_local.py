"""`make deploy-local`: the real CDK CLI bootstraps and deploys a config into the stand-in server.

    python -m standin.deploy_local [config/example.json]

Starts the stand-in (moto + standin's gap fixes, in this process), runs `cdk bootstrap` and `cdk deploy` with
fake credentials and AWS_ENDPOINT_URL pointing at it, prints the stack outputs and how to run the advisor
against what was deployed, then keeps serving until Ctrl-C (all state goes with the process). The deploy-cycle
test (tests/deploy) drives the CLI through the same helpers.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

from moto.core import DEFAULT_ACCOUNT_ID

REPO = Path(__file__).resolve().parent.parent
CDK = REPO / "node_modules" / ".bin" / "cdk"
REGION = "us-east-1"
ACCOUNT = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
# Whatever the caller's shell has set for AWS must not reach a real account nor change the stand-in's answers.
_DROPPED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "CDK_DEFAULT_ACCOUNT",
            "CDK_DEFAULT_REGION")


def node_bin() -> Path:
    """The folder of the Node.js that `make setup` installed (node only: no Python beside it)."""
    return (REPO / ".venv" / "bin" / "node").resolve().parent


def cdk_env(endpoint_url: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for the CDK CLI: fake credentials, every AWS client pointed at the stand-in.

    PATH gets the setup's Node but not .venv/bin: cdk.json's launcher (cdk-app.sh) finds the project's Python
    itself, as it must for a user who runs node_modules/.bin/cdk without the venv on PATH.
    """
    env = {key: value for key, value in (os.environ if base is None else base).items()
           if key not in _DROPPED and not key.startswith("AWS_ENDPOINT_URL")}
    env.update({
        "AWS_ENDPOINT_URL": endpoint_url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "CDK_DISABLE_VERSION_CHECK": "1", "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1", "FORCE_COLOR": "0", "NO_COLOR": "1",
        "PATH": os.pathsep.join([str(node_bin()), *(p for p in env.get("PATH", "").split(os.pathsep)
                                                    if p and Path(p).resolve() != (REPO / ".venv" / "bin"))]),
    })
    return env


def cdk(args: Sequence[str], endpoint_url: str, *, check: bool = True,
        cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run the pinned CDK CLI (from the project folder) against the stand-in; raise with its output on failure."""
    result = subprocess.run([str(CDK), *args], cwd=cwd, env=cdk_env(endpoint_url), capture_output=True,
                            text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"cdk {' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def bootstrap(endpoint_url: str) -> subprocess.CompletedProcess[str]:
    """`cdk bootstrap` of the stand-in's account and region (the CDKToolkit stack, its bucket and roles).

    Run outside the project folder: the environment is named, so there is no app to synthesize first.
    """
    with tempfile.TemporaryDirectory(prefix="cdk-bootstrap-") as elsewhere:
        return cdk(["bootstrap", f"aws://{ACCOUNT}/{REGION}"], endpoint_url, cwd=Path(elsewhere))


def deploy(config: Path, endpoint_url: str, outdir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """`cdk deploy -c config=...`; the CLI's result and the stack outputs it wrote (OutputKey -> value)."""
    outputs = outdir / "outputs.json"
    result = cdk(["deploy", "-c", f"config={config}", "--require-approval", "never", "--progress", "events",
                  "--output", str(outdir / "cdk.out"), "--outputs-file", str(outputs)], endpoint_url)
    written = json.loads(outputs.read_text())
    return result, next(iter(written.values()), {})


def destroy(outdir: Path, endpoint_url: str) -> subprocess.CompletedProcess[str]:
    """`cdk destroy --force` of the stack the last deploy() into `outdir` synthesized (its cloud assembly)."""
    return cdk(["destroy", "--force", "--app", str(outdir / "cdk.out")], endpoint_url)


def main(argv: Sequence[str] | None = None) -> int:
    """Deploy a config into a fresh stand-in and keep it serving until Ctrl-C."""
    from standin.server import StandinServer

    # moto says so for every type it does not model (the bootstrap's bucket policy, the alarm stacks' no-op
    # placeholders); nothing the advisor's stack or the CLI reads depends on them.
    warnings.filterwarnings("ignore", message="Tried to parse .* but it's not supported", category=UserWarning)
    logging.getLogger("moto.cloudformation.parsing").setLevel(logging.ERROR)
    args = list(sys.argv[1:] if argv is None else argv)
    config = Path(args[0] if args else "config/example.json").resolve()
    if not CDK.exists():
        print("deploy-local: node_modules/.bin/cdk is missing: run `make setup` first", file=sys.stderr)
        return 1
    with StandinServer() as server, tempfile.TemporaryDirectory(prefix="deploy-local-") as outdir:
        url = server.endpoint_url
        print(f"deploy-local: stand-in AWS at {url} (account {ACCOUNT}, {REGION}); cdk bootstrap ...", flush=True)
        started = time.perf_counter()
        try:
            bootstrap(url)
            print(f"deploy-local: cdk deploy -c config={config} ...", flush=True)
            _, outputs = deploy(config, url, Path(outdir))
        except RuntimeError as error:
            print(f"deploy-local: {error}", file=sys.stderr)
            return 1
        print(f"deploy-local: deployed in {time.perf_counter() - started:.0f} s. Stack outputs:")
        for key, value in sorted(outputs.items()):
            print(f"  {key} = {value}")
        endpoint = json.loads(config.read_text())["endpoints"][0]
        print("\nThe alarms, topic, advisor Lambda, queue, table and dashboard now exist in the stand-in; its "
              "SageMaker has no endpoints, so the advisor reports the endpoint as not found. In another shell:\n"
              f"  AWS_ENDPOINT_URL={url} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
              f".venv/bin/advisor diagnose --endpoint {endpoint['name']} "
              f"--variant {endpoint.get('variant', 'AllTraffic')} --metric ModelLatency --region {REGION}\n"
              f"  AWS_ENDPOINT_URL={url} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
              f"aws cloudwatch describe-alarms --region {REGION}   # if you have the AWS CLI\n"
              "Serving until Ctrl-C (everything deployed goes with it).", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\ndeploy-local: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
