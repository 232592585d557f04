"""The diagnostic rule catalogue (SPEC §4)."""
