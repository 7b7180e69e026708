"""The scale benchmark (issue #8): landing generator, baselines and the benchmark runner."""
