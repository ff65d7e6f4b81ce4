"""Reproducible benchmarks: ``python -m benchmarks.accuracy``."""
