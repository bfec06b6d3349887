"""Benchmarks of enode-codegen against its peers; run with `python bench/run.py` (see README.md)."""
