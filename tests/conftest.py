"""Puts tests/ on sys.path (pytest's prepend import mode), so test folders share `replayed`."""
