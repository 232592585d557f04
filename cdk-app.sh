#!/bin/sh
# cdk.json's "app": runs app.py with the project's .venv Python (it has aws-cdk-lib and cdk-nag), so
# `node_modules/.bin/cdk synth|deploy` works without .venv/bin on PATH; without a .venv, one line says what to do.
here=$(dirname "$0")
if [ ! -x "$here/.venv/bin/python" ]; then
    echo "cdk: $here/.venv is missing: run \`make setup\` first (it installs the Python CDK libraries app.py needs)" >&2
    exit 1
fi
exec "$here/.venv/bin/python" "$here/app.py" "$@"
