# The index of everything a developer runs. `make demo` and `make test` set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
export PULUMI_SKIP_UPDATE_CHECK := true

.PHONY: setup venv engine demo demo-destroy sandbox preview up destroy test lint typecheck bench clean
STACK ?= dev

setup: venv engine

venv: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

engine:
	bash scripts/install-engine.sh

demo: setup
	$(PY) -m deploy demo

demo-destroy: setup
	$(PY) -m deploy demo-destroy

# A stack of your own: make preview STACK=prod (PULUMI_CONFIG_PASSPHRASE and PULUMI_BACKEND_URL as usual).
preview up destroy: setup
	$(PY) -m deploy $@ --stack $(STACK)

sandbox: venv
	$(PY) -m sandbox --state-dir .sandbox/state --twilio-port 18081 --liveagent-port 18082

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

test: setup lint typecheck
	$(PY) -m pytest -v

bench: setup
	$(PY) -m pytest benchmarks -q -s

clean:
	rm -rf .tools .pulumi-state .sandbox
