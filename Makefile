# sangkien — the two commands: `make up` (start the platform) and `make test` (run every test).
.PHONY: up test bench lint install servers docs audit

install:
	@deploy/local/bootstrap.sh

servers:
	@deploy/local/servers.sh

up: install
	@deploy/local/servers.sh redis rabbitmq
	@.venv/bin/sangkien up

test: install servers audit
	@.venv/bin/ruff check .
	@.venv/bin/mypy shared services
	@.venv/bin/python -m pytest $(PYTEST_ARGS)

audit: install  # known vulnerabilities in the pinned set fail; an unreachable index only warns
	@.ci/audit

lint: install
	@.venv/bin/ruff check . && .venv/bin/mypy shared services

bench: install servers
	@.venv/bin/python -m bench $(BENCH_ARGS)

docs: install
	@.venv/bin/python -m shared.settings
	@.venv/bin/sangkien rabbitmq-definitions > deploy/rabbitmq/definitions.json
