"""Benchmarks (not tests): each module prints JSON figures; `python -m bench.run` runs them all."""
