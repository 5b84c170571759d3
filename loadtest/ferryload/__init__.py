"""Ferry's Black Friday load-test runner (see loadtest/README.md).

Pure parts (scenario, scaling rule, statistics, audit, charts) are importable without a running fleet and are
unit-tested in loadtest/tests; the fleet, arrival and sampling parts drive real processes.
"""
