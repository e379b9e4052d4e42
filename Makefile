# The two commands of the README: `make run` and `make test`.
# Both install what the build needs (cmake and libclang-dev for HiGHS, which
# highs-sys compiles from source; rustfmt and clippy for the checks).

CARGO ?= cargo

.PHONY: run test deps build browser openapi-validator openapi-check

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

# The OpenAPI validator for `make test` (docs/service.md, "OpenAPI"):
# openapi-spec-validator from PyPI, pinned, in a virtualenv under target/.
# Installed once (this needs the network); checking runs offline.
OPENAPI_VENV := target/openapi-venv
OPENAPI_VALIDATOR := $(OPENAPI_VENV)/bin/openapi-spec-validator
OPENAPI_VALIDATOR_VERSION := 0.9.0

openapi-validator:
	@[ -x $(OPENAPI_VALIDATOR) ] || { \
	  if ! python3 -m venv $(OPENAPI_VENV) >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing python3-venv for the OpenAPI validator"; \
	    rm -rf $(OPENAPI_VENV); \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip >/dev/null; \
	  fi; \
	  echo "installing openapi-spec-validator $(OPENAPI_VALIDATOR_VERSION) into $(OPENAPI_VENV)"; \
	  { python3 -m venv $(OPENAPI_VENV) && \
	    $(OPENAPI_VENV)/bin/pip install -q openapi-spec-validator==$(OPENAPI_VALIDATOR_VERSION); } \
	    || { rm -rf $(OPENAPI_VENV); \
	         echo "openapi-spec-validator could not be installed (needs python3 with venv, and PyPI): make test will FAIL at the OpenAPI check" >&2; }; \
	}

# Validate the document `GET /openapi.json` serves (written by the built
# binary). Without the validator this fails loudly; OPENAPI_CHECK=skip
# skips it, saying so.
openapi-check:
	@mkdir -p target
	$(CARGO) build -q
	./target/debug/rota serve --print-openapi > target/openapi.json
	@if [ -x $(OPENAPI_VALIDATOR) ]; then \
	  $(OPENAPI_VALIDATOR) target/openapi.json; \
	elif [ "$(OPENAPI_CHECK)" = skip ]; then \
	  echo "WARNING: the OpenAPI document was NOT validated (OPENAPI_CHECK=skip)" >&2; \
	else \
	  echo "ERROR: no OpenAPI validator at $(OPENAPI_VALIDATOR): run 'make openapi-validator' (needs python3 and PyPI once), or 'make test OPENAPI_CHECK=skip' to go on without it" >&2; \
	  exit 1; \
	fi
