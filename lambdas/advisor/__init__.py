"""SageMaker latency advisor: from a CloudWatch alarm to the cause and the fix."""
