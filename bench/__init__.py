"""Benchmarks that print figures and write bench/results/*.json; never timed assertions."""
