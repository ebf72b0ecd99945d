"""Reproducible benchmarks, run by `make bench` (never as timed tests)."""
