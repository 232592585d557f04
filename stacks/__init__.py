"""The CDK app's constructs: config, thresholds, alarms, the advisor, notifications, dashboard, costs."""
