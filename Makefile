# sealflow: everyday commands. `make` or `make help` lists them; each is one line calling the same
# commands as bin/sealflow and .ci/run, so what works here works there.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv/bin

.PHONY: help run test lint fmt migrate bench constraints

help: ## show this list
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z_-]*:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## install into .venv and run the web app, worker and beat on $PORT (default 8000)
	$(PYTHON) bin/sealflow run

test: ## install into .venv, lint, type-check and run all tests (pytest args: make test ARGS="-k login")
	$(PYTHON) bin/sealflow test $(ARGS)

lint: ## ruff, ruff format --check and mypy, without the tests
	$(VENV)/ruff check . && $(VENV)/ruff format --check . && $(VENV)/mypy .

fmt: ## format the code and apply the safe lint fixes
	$(VENV)/ruff format . && $(VENV)/ruff check --fix .

migrate: ## apply the database migrations (starts the embedded PostgreSQL when DATABASE_URL is unset)
	$(VENV)/python manage.py migrate

bench: ## run the benchmarks
	$(VENV)/python -m bench

constraints: ## reinstall into .venv and rewrite constraints.txt from pip freeze
	$(VENV)/pip install -q -e '.[dev]' && { sed '/^[^#]/,$$d' constraints.txt; $(VENV)/pip freeze --exclude-editable | grep -viE '^(sealflow|pip|setuptools|wheel)=='; } > constraints.txt.new && mv constraints.txt.new constraints.txt
