# pycnb — see README.md. Everything here is idempotent: a target sets up what it needs
# (vendored libraries, tools, images, mirror) and skips what is already done.
SHELL := /bin/bash
PYTHON ?= python3
export PYCNB_CACHE ?= $(HOME)/.cache/pycnb
PYTEST := $(PYTHON) -m pytest

.PHONY: help vendor package-dirs test-unit bench-detect test pytest
help:
	@echo "make demo        build and run the demo app image (real pack + lifecycle + Docker)"
	@echo "make test        unit and integration tests"
	@echo "make test-unit   unit tests only (no Docker)"
	@echo "make package-dirs  self-contained buildpack directories in build/buildpacks"
	@echo "make bench-detect  median detect time per packaged buildpack"

vendor:
	@tools/vendor.sh build/vendor

package-dirs: vendor
	@$(PYTHON) tools/package.py >/dev/null

pytest:
	@$(PYTHON) -c 'import pytest' 2>/dev/null || $(PYTHON) -m pip install --quiet pytest

test-unit: vendor pytest
	@tools/fetch-wheels.sh pipenv pipenv==$$(sed -n 's/^pipenv = "\(.*\)"/\1/p' buildpacks/pipenv/buildpack.toml) >/dev/null
	$(PYTEST) -q tests

bench-detect: package-dirs
	@$(PYTHON) tools/bench_detect.py

test: test-unit
