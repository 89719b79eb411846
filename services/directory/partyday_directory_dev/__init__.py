"""The directory's development tools: the synthetic city for `make city`, the benchmarks and the tests.
Nothing in the running service imports this package."""
