# RDV Solidarités, serverless. `make run` serves the app on moto; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements*.txt | md5sum | cut -c1-12)
STAGE ?= dev
BUILD := build/$(STAGE)
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint package bench chromium clean

$(STAMP): requirements.txt requirements-dev.txt requirements-vendor.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# Debian's chromium for the browser tests (Playwright never downloads a browser here).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

run: $(STAMP)
	$(PY) -m devtools.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The deployable artefacts of a stage: build/<stage>/deployment.zip and sam.json.
# Templates go into vendor/ (Chalice zips only app.py, chalicelib/ and vendor/);
# PynamoDB is vendored without botocore, which Lambda provides. The stage alone names
# the queue and the topic the functions are wired to (chalicelib/settings.py).
package: $(STAMP)
	rm -rf vendor $(BUILD) && mkdir -p vendor $(BUILD)
	cp -r templates vendor/templates
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --target vendor -r requirements-vendor.txt
	$(PY) -m infra.template $(STAGE) $(BUILD)
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-west-3} RDVSOL_STAGE=$(STAGE) \
	  $(VENV)/bin/chalice package --stage $(STAGE) --merge-template $(BUILD)/resources.json $(BUILD)
	rm -rf vendor
	$(VENV)/bin/cfn-lint $(BUILD)/sam.json
	@ls -l $(BUILD)/deployment.zip

test: $(STAMP) chromium lint
	$(MAKE) package STAGE=prod
	$(PY) -m pytest

bench: $(STAMP)
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts build vendor
