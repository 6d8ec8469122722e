"""Benchmarks: `python -m bench` (make bench). Outside the wheel: they drive the runtime, never the reverse."""
