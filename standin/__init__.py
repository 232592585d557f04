"""Offline stand-in for AWS: moto plus the gaps the advisor needs filled."""
