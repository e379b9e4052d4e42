# The two commands of the README: `make run` and `make test`.
# Both install what the build needs (cmake and libclang-dev for HiGHS, which
# highs-sys compiles from source; rustfmt and clippy for the checks).

CARGO ?= cargo

.PHONY: run test deps build browser openapi-validator openapi-check pyvrp bench-pyvrp

run: deps
	$(CARGO) build --release
	./target/release/rota plan -o target/sample-plan.json
	./target/release/rota check data/sample-day.json target/sample-plan.json
	./target/release/rota report target/sample-plan.json --request data/sample-day.json -o target/sample-report.html
	@echo "plan written to target/sample-plan.json"
	@echo "report written to target/sample-report.html (open it in a browser)"

test: deps browser openapi-validator
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test --all-targets
	$(CARGO) test --doc
	$(MAKE) --no-print-directory openapi-check

build: deps
	$(CARGO) build --release

# Install build prerequisites when missing; say what to install when not root.
deps:
	@missing=""; \
	command -v cmake >/dev/null 2>&1 || missing="$$missing cmake"; \
	{ dpkg -s libclang-dev >/dev/null 2>&1 || ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1; } || missing="$$missing libclang-dev"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "rota needs$$missing to build HiGHS: run 'sudo apt-get install$$missing' and try again" >&2; exit 1; \
	  fi; \
	fi
	@for c in rustfmt clippy; do \
	  $(CARGO) $$( [ $$c = rustfmt ] && echo fmt || echo clippy ) --version >/dev/null 2>&1 || rustup component add $$c; \
	done

# Chromium for the report's browser test (tests/browser.rs). Best effort: when
# it cannot be installed, that test skips with a message.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: the browser test will skip"; \
	  else \
	    echo "chromium is not installed (apt-get install chromium): the browser test will skip"; \
	  fi; \
	}

# The OpenAPI tools for `make test` (docs/service.md, "OpenAPI"), from PyPI,
# pinned, in a virtualenv under target/: openapi-spec-validator, and two
# common client generators (openapi-python-client, datamodel-code-generator)
# whose clients must read the sample request and a finished job and write
# them back unchanged. Installed once (this needs the network); the checks
# run offline.
OPENAPI_VENV := target/openapi-venv
OPENAPI_VALIDATOR := $(OPENAPI_VENV)/bin/openapi-spec-validator
OPENAPI_VALIDATOR_VERSION := 0.9.0
OPENAPI_PYTHON_CLIENT_VERSION := 0.29.1
DATAMODEL_CODEGEN_VERSION := 0.89.0
OPENAPI_TOOLS := $(OPENAPI_VALIDATOR) $(OPENAPI_VENV)/bin/openapi-python-client $(OPENAPI_VENV)/bin/datamodel-codegen
OPENAPI_PACKAGES := openapi-spec-validator==$(OPENAPI_VALIDATOR_VERSION) \
	openapi-python-client==$(OPENAPI_PYTHON_CLIENT_VERSION) \
	datamodel-code-generator==$(DATAMODEL_CODEGEN_VERSION)

openapi-validator:
	@missing=""; for t in $(OPENAPI_TOOLS); do [ -x $$t ] || missing="$$missing $$(basename $$t)"; done; \
	[ -z "$$missing" ] || { \
	  if ! python3 -m venv $(OPENAPI_VENV) >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing python3-venv for the OpenAPI tools"; \
	    rm -rf $(OPENAPI_VENV); \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip >/dev/null; \
	  fi; \
	  echo "installing$$missing into $(OPENAPI_VENV) ($(OPENAPI_PACKAGES))"; \
	  { python3 -m venv $(OPENAPI_VENV) && \
	    $(OPENAPI_VENV)/bin/python -m pip install -q $(OPENAPI_PACKAGES); } \
	    || echo "the OpenAPI tools could not be installed (needs python3 with venv, and PyPI): make test will FAIL at the OpenAPI check" >&2; \
	}

# Validate the document `GET /openapi.json` serves (written by the built
# binary), then generate both clients into target/openapi-clients and round
# trip the sample request and a finished job of a real `rota serve` through
# them (tests/openapi/round_trip.py). Without the tools this fails loudly;
# OPENAPI_CHECK=skip skips it, saying so.
openapi-check:
	@mkdir -p target
	$(CARGO) build -q
	./target/debug/rota serve --print-openapi > target/openapi.json
	@missing=""; for t in $(OPENAPI_TOOLS); do [ -x $$t ] || missing="$$missing $$t"; done; \
	if [ -z "$$missing" ]; then \
	  $(OPENAPI_VALIDATOR) target/openapi.json && \
	  $(OPENAPI_VENV)/bin/python tests/openapi/round_trip.py ./target/debug/rota target/openapi.json data/sample-day.json target/openapi-clients; \
	elif [ "$(OPENAPI_CHECK)" = skip ]; then \
	  echo "WARNING: the OpenAPI document was NOT validated nor its clients generated (OPENAPI_CHECK=skip)" >&2; \
	else \
	  echo "ERROR: missing$$missing: run 'make openapi-validator' (needs python3 and PyPI once), or 'make test OPENAPI_CHECK=skip' to go on without it" >&2; \
	  exit 1; \
	fi

# rota beside PyVRP on Solomon's 100-customer instances (issue 29;
# docs/benchmarks.md, "rota beside PyVRP"). Not part of `make test`: the full
# comparison (56 instances x seeds 1-3 x 10 s, both solvers side by side, one
# core each) takes about half an hour. PyVRP comes from PyPI, pinned, into a
# virtualenv under target/ (installed once, like the OpenAPI tools), e.g.
#   make bench-pyvrp PYVRP_BENCH_ARGS="hard"                     # the ten hardest
#   make bench-pyvrp PYVRP_BENCH_ARGS="--time-limit 2 --seeds 1 R103 RC108"
PYVRP_VENV := target/pyvrp-venv
PYVRP_VERSION := 0.14.1
PYVRP_BENCH_ARGS ?=

pyvrp:
	@$(PYVRP_VENV)/bin/python -c 'import importlib.metadata as m, sys; sys.exit(m.version("pyvrp") != "$(PYVRP_VERSION)")' 2>/dev/null || { \
	  if ! python3 -m venv $(PYVRP_VENV) >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing python3-venv for PyVRP"; \
	    rm -rf $(PYVRP_VENV); \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip >/dev/null; \
	  fi; \
	  echo "installing pyvrp==$(PYVRP_VERSION) into $(PYVRP_VENV)"; \
	  python3 -m venv $(PYVRP_VENV) && $(PYVRP_VENV)/bin/python -m pip install -q pyvrp==$(PYVRP_VERSION); \
	}

bench-pyvrp: pyvrp
	$(CARGO) build --release
	$(PYVRP_VENV)/bin/python scripts/solomon-vs-pyvrp.py $(PYVRP_BENCH_ARGS)
