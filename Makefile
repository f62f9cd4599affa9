# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8080
STAMP  := $(VENV)/.installed

.PHONY: demo test lint serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## the portal with demo data on http://127.0.0.1:$(PORT)
	$(BIN)/flask --app app init
	$(BIN)/flask --app app seed-demo
	@echo "KeyLedger: http://127.0.0.1:$(PORT)/"
	$(BIN)/gunicorn --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - 'app:create_app()'

test: $(STAMP)  ## the whole test suite
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
