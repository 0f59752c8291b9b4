"""Setu's benchmarks: `python -m bench` (see bench/README.md and bench/FINDINGS.md)."""
