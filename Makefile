# pycnb — see README.md. Everything here is idempotent: a target sets up what it needs
# (vendored libraries, tools, images, mirror) and skips what is already done.
SHELL := /bin/bash
PYTHON ?= python3
export PYCNB_CACHE ?= $(HOME)/.cache/pycnb
PYTEST := $(PYTHON) -m pytest

# `make BUILDER=pycnb/builder:mine integration` builds and tests a builder of another name
# (parallel work trees on one Docker engine); tests and tools read PYCNB_BUILDER.
BUILDER ?= pycnb/builder:bookworm
export PYCNB_BUILDER := $(BUILDER)
# A fixed key keeps pack's cache volumes stable and its warning quiet.
export PACK_VOLUME_KEY ?= pycnb-local

.PHONY: help vendor package-dirs package tools stack builder mirror test-unit integration bench bench-detect test pytest demo
help:
	@echo "make demo        build and run the demo app image (real pack + lifecycle + Docker)"
	@echo "make test        unit and integration tests"
	@echo "make test-unit   unit tests only (no Docker)"
	@echo "make package-dirs  self-contained buildpack directories in build/buildpacks"
	@echo "make bench       pip-install cold/warm/changed builds vs plain pip, poetry-install cold/warm, and detect times"
	@echo "make bench-detect  median detect time per packaged buildpack"
	@echo "make -s s3       a local S3 server (versitygw) on 127.0.0.1; prints its AWS_* settings"

vendor:
	@tools/vendor.sh build/vendor

package-dirs: vendor
	@$(PYTHON) tools/package.py >/dev/null

pytest:
	@$(PYTHON) -c 'import pytest' 2>/dev/null || $(PYTHON) -m pip install --quiet pytest

test-unit: vendor pytest versitygw wheels-poetry
	@tools/fetch-wheels.sh pipenv pipenv==$$(sed -n 's/^pipenv = "\(.*\)"/\1/p' buildpacks/pipenv/buildpack.toml) >/dev/null
	@tools/fetch-wheels.sh pip pip==24.3.1 >/dev/null
	$(PYTEST) -q tests

bench-detect: package-dirs
	@$(PYTHON) tools/bench_detect.py

# Docker engine (started with --bridge=none), pack and the lifecycle, built from pinned Go modules.
tools:
	@tools/ensure-docker.sh
	@tools/ensure-pack.sh
	@mkdir -p build && ln -sf "$$(tools/ensure-lifecycle.sh)" build/lifecycle.tgz

stack: tools
	@stack/build.sh

# Each buildpack as a .cnb per target (<name>-<os>-<arch>.cnb), next to its directory.
package: package-dirs tools
	@cd build/buildpacks && for d in */; do n=$${d%/}; \
	    if [ -f "$$n.package.toml" ]; then src=(--config "$$n.package.toml"); else src=(--path "$$n"); fi; \
	    pack buildpack package "$$n.cnb" "$${src[@]}" --format file --pull-policy never >/dev/null || exit 1; \
	done

builder: package-dirs stack
	@pack builder create $(BUILDER) --config builder.toml --pull-policy never >/dev/null
	@docker image prune -f --filter label=io.buildpacks.builder.metadata >/dev/null  # replaced builders
	@pack config trusted-builders add $(BUILDER) >/dev/null 2>&1 || true
	@echo "builder $(BUILDER) ready" >&2

# Serves CPython sources and prebuilts on 127.0.0.1 and prints the settings for `pack build --env`.
mirror: stack
	@mirror/setup.sh

integration: builder pytest wheels-poetry
	@mirror/setup.sh >/dev/null
	@tools/fetch-wheels.sh apps -r integration/testdata/bench/requirements.txt >/dev/null
	@tools/fetch-wheels.sh pipenv pipenv==$$(sed -n 's/^pipenv = "\(.*\)"/\1/p' buildpacks/pipenv/buildpack.toml) >/dev/null
	$(PYTEST) -q -p no:cacheprovider integration

test: test-unit integration

# pip-install through the real builder (cold, warm, one change) against plain pip; then detect.
bench: builder bench-detect wheels-poetry
	@tools/fetch-wheels.sh apps -r integration/testdata/bench/requirements.txt >/dev/null
	@$(PYTHON) tools/bench.py
	@$(PYTHON) tools/bench_poetry.py

demo: builder
	@tools/demo.sh

# -- S3 (issue 12) ---------------------------------------------------------------
# versitygw, the real S3 server of the tests, built once from its Go module (cached).
.PHONY: versitygw s3 bench-s3
versitygw:
	@tools/ensure-versitygw.sh >/dev/null

# A persistent local S3 server for people; prints AWS_ENDPOINT_URL=... lines (idempotent).
s3:
	@tools/s3-server.sh

# S3 sync of the cached app wheels: cold, unchanged (list only), one object changed.
bench-s3: vendor versitygw
	@tools/fetch-wheels.sh apps -r integration/testdata/bench/requirements.txt >/dev/null
	@$(PYTHON) tools/bench_s3.py

# -- conda (issue 10) ---------------------------------------------------------------
# Adds conda packages made from a requirements file's wheels (with dependencies) to the
# test channel served by the mirror: make -s conda-channel REQUIREMENTS=requirements.txt
.PHONY: conda-channel
conda-channel: stack
	@mirror/setup.sh >/dev/null
	@mirror/conda-setup.sh $(abspath $(REQUIREMENTS)) >/dev/null

# Poetry (with its export plugin, as pinned in buildpacks/poetry) and Django: wheels for the
# Poetry, pyproject and Django tests and benchmarks, fetched once into the cache.
.PHONY: wheels-poetry
wheels-poetry:
	@tools/fetch-wheels.sh poetry $$(sed -n 's/^\(poetry[a-z-]*\) = "\(.*\)"/\1==\2/p' buildpacks/poetry/buildpack.toml) >/dev/null
	@tools/fetch-wheels.sh django django==5.2.19 >/dev/null
