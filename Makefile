# The index of everything a developer runs. `make demo` and `make test` set up what they need.
# `make preview|up|refresh|destroy` are the plain Pulumi CLI in this folder, with .tools/bin first on PATH.
SHELL := /bin/bash
PYTHON ?= python3
VENV := venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
export PATH := $(CURDIR)/.tools/bin:$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true

.PHONY: setup venv engine actionlint stack demo demo-destroy sandbox discover preview up refresh destroy test test-live test-fast lint typecheck bench resilience clean
STACK ?= dev
ARGS ?=

RUNTIME_STAMP := $(VENV)/.runtime-$(shell sha256sum requirements.txt | cut -c1-12)
ENGINE_STAMP := .tools/.installed
ACTIONLINT_STAMP := .tools/.actionlint-installed
# What running the program needs (make demo, the plain Pulumi commands): requirements.txt, the engine, the dev stack.
RUN := $(RUNTIME_STAMP) $(ENGINE_STAMP) stack
# What a developer needs on top, for `make test`: the packages of tests, lint and type-check, and actionlint.
setup: venv $(ENGINE_STAMP) stack $(ACTIONLINT_STAMP)

venv: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

# The program's packages alone; nothing to install when the full venv above is current (it includes them).
$(RUNTIME_STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -e $(STAMP) || $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.runtime-* && touch $@

engine: $(RUNTIME_STAMP)
	bash tools/install-engine.sh
	@touch $(ENGINE_STAMP)

actionlint:
	bash tools/install-actionlint.sh
	@touch $(ACTIONLINT_STAMP)

# As a prerequisite each tool is installed once (and again when its pins change), so the aliases below
# print nothing of their own.
$(ENGINE_STAMP): tools/pulumi/go.mod tools/pulumi/go.sum tools/install-engine.sh tools/lib.sh | $(RUNTIME_STAMP)
	bash tools/install-engine.sh
	@touch $@

# Only the tests use actionlint (tests/test_ci_workflows.py checks .github/workflows with it): `make setup` and so
# `make test` build it, `make demo` does not wait for it.
$(ACTIONLINT_STAMP): tools/actionlint/go.mod tools/actionlint/go.sum tools/install-actionlint.sh tools/lib.sh
	bash tools/install-actionlint.sh
	@touch $@

# The dev stack in the local state backend (Pulumi.yaml's `backend`), so `pulumi up --stack dev` works at once.
# Its passphrase is the public demo one whatever is exported for other stacks; the selected stack is left alone.
stack: $(ENGINE_STAMP)
	@mkdir -p .pulumi-state
	@if [ -z "$${PULUMI_BACKEND_URL:-}" ] && ! pulumi stack ls --json 2>/dev/null | grep -q '"name": "dev"'; then \
		env -u PULUMI_CONFIG_PASSPHRASE_FILE PULUMI_CONFIG_PASSPHRASE=sandbox-demo \
			pulumi stack init dev --no-select --non-interactive; fi

demo: $(RUN)
	$(PY) -m deploy demo

demo-destroy: $(RUN)
	$(PY) -m deploy demo-destroy

sandbox: $(RUNTIME_STAMP)
	$(PY) -m deploy sandbox

# A setup made by hand into Pulumi.$(STACK).yaml: make discover STACK=prod ARGS='--domain-prefix something'.
discover: $(RUN)
	$(PY) -m deploy discover --stack $(STACK) $(ARGS)

# Any stack: make preview STACK=prod ARGS=--diff; make up ARGS=--yes in CI. The CLI asks before it changes anything.
preview up refresh destroy: $(RUN)
	pulumi $@ --stack $(STACK) $(ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

# The suite in parallel workers (pytest-xdist), each with its own sandbox, temp folders and rate-limit files
# (tests/conftest.py). Engine tests spend much of their time waiting on processes and the sandbox, so one worker
# more than the cores keeps them busy: 3 on 2 cores. TEST_WORKERS=0 for one process in file order.
# The live test's opt-in is left out here: `make test` runs it against the sandbox, `make test-live` for real.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: setup lint typecheck
	env -u TWILIO_LIVEAGENT_LIVE_PREFIX -u TWILIO_LIVEAGENT_LIVE_NUMBER $(PY) -m pytest -v --durations=20 -n $(TEST_WORKERS) --dist loadgroup

# The guide's lifecycle on real accounts (tests/test_live.py says what to export); it cleans up after itself.
test-live: setup
	@if [ -z "$${TWILIO_LIVEAGENT_LIVE_PREFIX:-}" ] || [ -z "$${TWILIO_LIVEAGENT_LIVE_NUMBER:-}" ]; then \
		echo "make test-live: export TWILIO_LIVEAGENT_LIVE_PREFIX (a throwaway trunk domain prefix) and" \
			"TWILIO_LIVEAGENT_LIVE_NUMBER (an owned number on no trunk), with the accounts' credentials" >&2; exit 2; fi
	$(PY) -m pytest -v tests/test_live.py

# Seconds, no engine and no sandbox: rules, the wiring under Pulumi's mocks, the language host.
FAST_TESTS := tests/test_units.py tests/test_api_settings.py tests/test_wiring.py tests/test_language_host.py tests/test_readme_ja.py \
	tests/test_twilio_contract.py tests/test_docs_citations.py tests/test_bench_report.py tests/test_liveagent_paging.py
test-fast: venv
	$(PY) -m pytest -q $(FAST_TESTS)

# The scale table (benchmarks/scale.py) into benchmarks/results/: e.g. make bench BENCH_ARGS=--quick for a smoke run,
# BENCH_ARGS="--numbers 1 10 50 --runs 1" for what fits in a few minutes.
BENCH_ARGS ?=
bench: setup
	$(PY) -m pytest benchmarks -q -s
	$(PY) -m benchmarks.scale $(BENCH_ARGS)

# First `up`s of 10 numbers through 20% injected faults on both APIs, each checked field by field (tests/resilience.py);
# e.g. make resilience RESILIENCE_ARGS="--runs 1 --seed 7" to replay one run. About 15 minutes.
RESILIENCE_ARGS ?= --runs 10 --numbers 10 --rate 0.2
resilience: setup
	$(PY) -m tests.resilience $(RESILIENCE_ARGS)

# Build products and the demo's sandbox state only: .pulumi-state/ may hold the state of real stacks.
clean:
	rm -rf .tools .sandbox
