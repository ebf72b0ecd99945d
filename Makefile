# Porch Light. Every target creates .venv on first use (`make install`).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench fuzz clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,server,postgres]'
	@if command -v espeak-ng >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing espeak-ng (speech for rehearsal mode)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null; \
	else \
		echo "espeak-ng is missing; rehearsal speech needs it. Run: sudo apt-get install espeak-ng"; \
	fi
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/porchlight serve

test: $(STAMP)
	$(BIN)/pytest --cov=skill --cov=interaction_model --cov=local_tts --cov-report=term-missing:skip-covered --cov-fail-under=90

lint: $(STAMP)
	$(BIN)/ruff check skill interaction_model local_tts tests
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Coverage-guided fuzzing of envelope parsing for FUZZ_SECONDS; crashes land in .fuzz/
# (turn each into a file in tests/data/fuzz/: tests/test_fuzz_regressions.py replays them).
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	$(BIN)/python -c "import atheris" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[fuzz]'
	rm -rf .fuzz/corpus && mkdir -p .fuzz/corpus && cp fuzz/seeds/*.json .fuzz/corpus/
	$(BIN)/python -m fuzz.envelopes -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
		-dict=fuzz/envelope.dict -artifact_prefix=.fuzz/ .fuzz/corpus

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .fuzz .hypothesis
