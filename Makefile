# Every target sets itself up on a fresh machine that has Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_CONFIG := instance/dev.toml
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test bench eval browser clean

install: $(STAMP)

# The advisor core (bot/advisor) is compiled at install (setup.py), so a change to it installs again.
$(STAMP): pyproject.toml setup.py $(wildcard bot/advisor/*.py)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DEV_CONFIG): | $(STAMP)
	$(BIN)/fanzha dev-config $(DEV_CONFIG)

# Debian's chromium (and a Chinese font for readable screenshots) drives the browser tests;
# Playwright never downloads a browser of its own.
BROWSER_PACKAGES := chromium fonts-wqy-microhei
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then \
		echo "installing $(BROWSER_PACKAGES) from Debian's packages for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null) \
		|| echo "could not install $(BROWSER_PACKAGES): browser tests will be skipped"; \
	fi

run: $(STAMP) $(DEV_CONFIG)
	$(BIN)/fanzha --config $(DEV_CONFIG) setup
	$(BIN)/fanzha --config $(DEV_CONFIG) dev-run --host $(HOST) --port $(PORT)

test: $(STAMP) browser
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/python -m tests.evaluation

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache build fanzha_core__mypyc*.so bot/advisor/*.so
