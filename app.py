#!/usr/bin/env python3
"""CDK entry point: `cdk synth -c config=config/example.json` (cdk.json names the example)."""

from __future__ import annotations

import sys

from aws_cdk import App

from stacks.advisor_stack import build, describe_split
from stacks.config import ConfigError, load_config
from stacks.discovery import resolve_for_app


def main() -> int:
    """Synthesize the stack for the config named by context `config`; a bad config is one line, exit 2."""
    # No version reporting: it would add an AWS::CDK::Metadata resource to each of the 17 templates, and the
    # resource limit check (stacks.advisor_stack.check_resource_limit) counts on there being none.
    app = App(analytics_reporting=False)
    path = app.node.try_get_context("config")
    try:
        if not path:
            raise ConfigError("context config: missing; run cdk synth -c config=path/to/config.json")
        config = resolve_for_app(app, load_config(path))
        stack = build(app, config)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 2  # bad input, as the advisor CLI says it
    print(describe_split(stack, config), file=sys.stderr)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
