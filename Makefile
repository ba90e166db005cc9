# RDV Solidarités, serverless. `make run` serves the app on moto; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements*.txt | md5sum | cut -c1-12)
STAGE ?= dev
BUILD := build/$(STAGE)
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint package package-inputs bench chromium clean

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
# The IAM policies name the AWS account and the SES domain: AWS_ACCOUNT_ID and
# RDVSOL_SES_DOMAIN are required, never defaulted (`make test` gives placeholders).
# They also name the region the stage's functions call (RDVSOL_AWS_REGION in
# .chalice/config.json): an AWS_DEFAULT_REGION or AWS_REGION naming another one, where
# the README's commands would deploy, is refused.
package: package-inputs $(STAMP)
	rm -rf $(BUILD) && mkdir -p $(BUILD)
	$(PY) -m infra.template $(STAGE) $(BUILD)
	rm -rf vendor && mkdir -p vendor
	cp -r templates vendor/templates
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --target vendor -r requirements-vendor.txt
	AWS_DEFAULT_REGION=$(STAGE_REGION) RDVSOL_STAGE=$(STAGE) \
	  $(VENV)/bin/chalice package --stage $(STAGE) --merge-template $(BUILD)/resources.json $(BUILD)
	rm -rf vendor
	$(VENV)/bin/cfn-lint $(BUILD)/sam.json
	@ls -l $(BUILD)/deployment.zip

# The region of the stage's functions, read by infra/template.py (standard library only,
# so before the virtualenv exists).
STAGE_REGION = $(shell $(PYTHON) -c 'import sys; from infra.template import region; print(region(sys.argv[1]))' $(STAGE) 2>/dev/null)

package-inputs:
	@missing=; for v in AWS_ACCOUNT_ID RDVSOL_SES_DOMAIN; do [ -n "$${!v}" ] || missing="$$missing $$v"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make package STAGE=$(STAGE): set$$missing. The IAM policies name the AWS account" >&2; \
	  echo "and the SES domain of the sender; nothing is defaulted. For example:" >&2; \
	  echo "  AWS_ACCOUNT_ID=<12 digits> RDVSOL_SES_DOMAIN=<domain verified in SES> make package STAGE=$(STAGE)" >&2; \
	  exit 2; \
	fi
	@region='$(STAGE_REGION)'; \
	if [ -z "$$region" ]; then \
	  echo "make package STAGE=$(STAGE): no deployable stage $(STAGE) with an RDVSOL_AWS_REGION in .chalice/config.json" >&2; \
	  exit 2; \
	fi; \
	for v in AWS_DEFAULT_REGION AWS_REGION; do \
	  if [ -n "$${!v}" ] && [ "$${!v}" != "$$region" ]; then \
	    echo "make package STAGE=$(STAGE): $$v=$${!v}, but the functions of stage $(STAGE) call $$region" >&2; \
	    echo "(RDVSOL_AWS_REGION in .chalice/config.json), and their IAM policies name it: a stack" >&2; \
	    echo "deployed to $${!v} would make its tables there, out of the functions' reach." >&2; \
	    echo "Package and deploy in $$region: export $$v=$$region (or unset it)." >&2; \
	    exit 2; \
	  fi; \
	done

# The tests package prod for AWS's documentation account and a reserved domain: such a
# build is not deployable (its EmailSender must be an address at example.org).
TEST_ACCOUNT_ID := 123456789012
TEST_SES_DOMAIN := example.org

test: $(STAMP) chromium lint
	$(MAKE) package STAGE=prod AWS_ACCOUNT_ID=$(TEST_ACCOUNT_ID) RDVSOL_SES_DOMAIN=$(TEST_SES_DOMAIN)
	$(PY) -m pytest

bench: $(STAMP)
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts build vendor
