# make run: the demo on http://127.0.0.1:$(PORT) with a Celery worker and beat beside it.
# make test: lint, then the whole suite. Both set up .venv on their own.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
export PORT

.PHONY: help install install-test run test lint format

help:
	@echo "make run     serve the demo on http://127.0.0.1:$(PORT) (PORT=... to change) with worker and beat"
	@echo "make test    lint, then run the whole test suite (PYTEST_ARGS=... to pass options)"
	@echo "make lint    ruff check, ruff format --check, makemigrations --check"
	@echo "make format  ruff format and ruff check --fix"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The project is an app, not a library (setuptools packages = []), so the dependencies are
# read straight from pyproject.toml. A stamp per set makes the second run instant.
$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python bin/requirements.py > $(VENV)/requirements-app.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements-app.txt
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-app
	$(BIN)/python bin/requirements.py test > $(VENV)/requirements-test.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements-test.txt
	@touch $@

install: $(VENV)/.installed-app

install-test: $(VENV)/.installed-test

run: install
	@bin/run

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest's exit code 5 means "no tests collected": not a failure here.
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS) || [ $$? -eq 5 ]
