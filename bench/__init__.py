"""Setu's benchmarks: `python -m bench` (the README's Benchmarks section, bench/FINDINGS.md)."""
