"""Benchmarks against the paper and the baselines: ``python -m benchmarks``."""
