"""Helpers shared by test suites and benchmarks: test servers and generated data."""
