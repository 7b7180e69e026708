"""Benchmark helpers: timing and memory of commands, Delta log accounting, baselines."""
