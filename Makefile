# The two commands of the README: `make run` and `make test`.
# Both install what the build needs (cmake and libclang-dev for HiGHS, which
# highs-sys compiles from source; rustfmt and clippy for the checks).

CARGO ?= cargo

.PHONY: run test deps build browser

run: deps
	$(CARGO) build --release
	./target/release/rota plan -o target/sample-plan.json
	./target/release/rota check data/sample-day.json target/sample-plan.json
	./target/release/rota report target/sample-plan.json --request data/sample-day.json -o target/sample-report.html
	@echo "plan written to target/sample-plan.json"
	@echo "report written to target/sample-report.html (open it in a browser)"

test: deps browser
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test --all-targets
	$(CARGO) test --doc

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
