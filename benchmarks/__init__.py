"""Performance benchmarks of the Clockify Panel: `python -m benchmarks` (see docs/performance.md).

Every figure is reported next to a baseline measured in the same run, on the same machine,
and the run never fails on a time: machines are noisy, so the targets are only reported.
"""
