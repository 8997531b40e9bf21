"""Benchmarks: serving and pipeline figures side by side with the original project's stack (`make bench`)."""
