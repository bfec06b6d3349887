"""Contract tests of the Enode specs against a target (the mock, or the live API).

See contract_tests/README.md.
"""
