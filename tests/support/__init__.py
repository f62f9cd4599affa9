"""Helpers shared by the tests: plain functions and classes, no fixtures (conftest.py files
hold those). `world` builds the session's small world, `services` finds PostgreSQL and
Redis, `web` logs a client in, `database` counts and reads rows, `days` fixes the portal's
day, `processes` runs `rq` workers, `ledger` draws random ledgers, `payloads` and
`access_rows`/`access_table` feed the access tests, `browser` and `story` the e2e tests."""
