"""Setu's benchmarks: `python -m bench` (the README's Benchmarks section, docs/performance.md)."""
