# orgpulse: every target installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint unit bench soak system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

system-deps:
	@scripts/system-deps.sh

## demo: local Kafka broker + worker + simulator, live view until Ctrl-C
demo: $(STAMP) system-deps
	$(BIN)/orgpulse demo

## test: lint, type-check and the full suite on a real local broker
test: lint $(STAMP) system-deps
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check streams tests benchmarks
	$(BIN)/ruff format --check streams tests benchmarks
	$(BIN)/mypy
	MYPYPATH=tests $(BIN)/mypy --strict tests benchmarks

# benchmarks pseudonymize with a throwaway key unless ORGPULSE_PSEUDONYM_KEY is set
BENCH_KEY = $(or $(ORGPULSE_PSEUDONYM_KEY),$(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(32))'))

## bench: benchmark scripts (about 35 min), results in BENCHMARKS.md with a summary table of
## issue 13's figures (today, measured, target, met?) collected from the scripts' FIGURE lines
bench: $(STAMP) system-deps
	ORGPULSE_PSEUDONYM_KEY=$(BENCH_KEY) $(BIN)/python benchmarks/run.py

## soak: 10-minute worker memory soak (not in bench), result in benchmarks/soak-result.txt
## for BENCHMARKS.md; SOAK_ARGS="--minutes 2" to shorten
soak: $(STAMP) system-deps
	ORGPULSE_PSEUDONYM_KEY=$(BENCH_KEY) $(BIN)/python benchmarks/bench_soak.py $(SOAK_ARGS) > benchmarks/soak-result.txt
	cat benchmarks/soak-result.txt

clean:
	-$(BIN)/orgpulse broker stop
	rm -rf .orgpulse
