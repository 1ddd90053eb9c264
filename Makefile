# pycnb — see README.md. Everything here is idempotent: a target sets up what it needs
# (vendored libraries, tools, images, mirror) and skips what is already done.
SHELL := /bin/bash
PYTHON ?= python3
export PYCNB_CACHE ?= $(HOME)/.cache/pycnb
PYTEST := $(PYTHON) -m pytest

# `make BUILDER=pycnb/builder:mine integration` builds and tests a builder of another name
# (parallel work trees on one Docker engine); tests and tools read PYCNB_BUILDER.
# DISTRO picks the stack: bookworm (Debian 12, the default) or trixie (Debian 13).
DISTRO ?= bookworm
BUILDER ?= pycnb/builder:$(DISTRO)
export PYCNB_BUILDER := $(BUILDER)
# A fixed key keeps pack's cache volumes stable and its warning quiet.
export PACK_VOLUME_KEY ?= pycnb-local

.PHONY: registry publish help vendor package-dirs package tools stack builder mirror test-unit integration bench bench-detect test pytest demo
.PHONY: hypothesis
help:
	@echo "make demo        build and run the demo app image (real pack + lifecycle + Docker)"
	@echo "make test        unit and integration tests"
	@echo "make test-unit   unit tests only (no Docker)"
	@echo "make test-full   make test, plus source compiles of more CPython lines and of R inside pack build"
	@echo "make package-dirs  self-contained buildpack directories in build/buildpacks"
	@echo "make bench       every road beside a no-op floor builder: cold/warm builds, image sizes, detect times"
	@echo "make bench-detect  median detect time per packaged buildpack"
	@echo "make -s s3       a local S3 server (versitygw) on 127.0.0.1; prints its AWS_* settings"
	@echo "make -s registry  a registry on 127.0.0.1 (prints REGISTRY=...)"
	@echo "make publish REGISTRY=host:port  push stack, buildpackages and builder"
	@echo "  (make builder/publish BUILD_ENV=FILE: bake NAME=VALUE platform settings into the builder)"

vendor:
	@tools/vendor.sh build/vendor

package-dirs: vendor
	@$(PYTHON) tools/package.py >/dev/null

pytest:
	@$(PYTHON) -c 'import pytest' 2>/dev/null || $(PYTHON) -m pip install --quiet pytest
	@$(PYTHON) -c 'import hypothesis' 2>/dev/null || $(PYTHON) -m pip install --quiet hypothesis

# The property-based tests of the input parsers (tests/test_parser_properties.py).
hypothesis:
	@$(PYTHON) -c 'import hypothesis' 2>/dev/null || $(PYTHON) -m pip install --quiet hypothesis==6.170.15

test-unit: vendor pytest versitygw hypothesis uv-wheel wheels-poetry
	@tools/fetch-wheels.sh pipenv pipenv==$$(sed -n 's/^pipenv = "\(.*\)"/\1/p' buildpacks/pipenv/buildpack.toml) >/dev/null
	@tools/fetch-wheels.sh pip pip==24.3.1 >/dev/null
	@mirror/fetch-pip-wheels.sh >/dev/null  # the pip buildpack's catalog wheels (offline unit tests)
	$(PYTEST) -q tests

# On the build image's own python3, the interpreter the lifecycle runs detect on.
bench-detect: package-dirs stack
	@$(PYTHON) tools/bench_detect.py --image pycnb/build:$(DISTRO)

# Docker engine (started with --bridge=none), pack and the lifecycle, built from pinned Go modules.
tools:
	@tools/ensure-docker.sh
	@tools/ensure-pack.sh
	@mkdir -p build && ln -sf "$$(tools/ensure-lifecycle.sh)" build/lifecycle.tgz

stack: tools
	@PYCNB_DEBIAN_RELEASE=$(DISTRO) stack/build.sh

# Each buildpack as a .cnb per target (<name>-<os>-<arch>.cnb), next to its directory.
package: package-dirs tools
	@cd build/buildpacks && for d in */; do n=$${d%/}; \
	    if [ -f "$$n.package.toml" ]; then src=(--config "$$n.package.toml"); else src=(--path "$$n"); fi; \
	    pack buildpack package "$$n.cnb" "$${src[@]}" --format file --pull-policy never >/dev/null || exit 1; \
	done

# BUILD_ENV=FILE (NAME=VALUE lines) bakes a platform's settings into the builder as defaults.
builder: package-dirs stack
	@config=$$($(PYTHON) tools/builder_config.py $(DISTRO) --env-file "$(BUILD_ENV)") && \
	  pack builder create $(BUILDER) --config "$$config" --pull-policy never >/dev/null
	@docker image prune -f --filter label=io.buildpacks.builder.metadata >/dev/null  # replaced builders
	@pack config trusted-builders add $(BUILDER) >/dev/null 2>&1 || true
	@echo "builder $(BUILDER) ready" >&2

# Serves CPython sources and prebuilts on 127.0.0.1 and prints the settings for `pack build --env`.
mirror: stack
	@mirror/setup.sh

integration: builder pytest uv-wheel wheels-poetry
	@mirror/setup.sh >/dev/null
	@tools/fetch-wheels.sh apps -r integration/testdata/bench/requirements.txt >/dev/null
	@tools/fetch-wheels.sh pipenv pipenv==$$(sed -n 's/^pipenv = "\(.*\)"/\1/p' buildpacks/pipenv/buildpack.toml) >/dev/null
	$(PYTEST) -q -p no:cacheprovider integration

test: test-unit integration

# CPython lines: `make test` plus source compiles inside pack build of every other line whose
# source the mirror serves (several minutes each).
.PHONY: test-full
test-full: test-unit builder pytest
	@mirror/setup.sh >/dev/null
	PYCNB_SOURCE_COMPILES="$${PYCNB_SOURCE_COMPILES:-3.9.2 3.13.5 3.13.15}" PYCNB_R_SOURCE_COMPILE=1 $(MAKE) integration

# pip-install through the real builder (cold, warm, one change) against plain pip; then detect.
bench: builder package-dirs uv-wheel wheels-poetry
	@tools/fetch-wheels.sh apps -r integration/testdata/bench/requirements.txt >/dev/null
	@tools/fetch-wheels.sh pipenv pipenv==$$(sed -n 's/^pipenv = "\(.*\)"/\1/p' buildpacks/pipenv/buildpack.toml) >/dev/null
	@PYCNB_BUILD_IMAGE=pycnb/build:$(DISTRO) PYCNB_RUN_IMAGE=pycnb/run:$(DISTRO) $(PYTHON) tools/bench.py
	@$(PYTHON) tools/bench_poetry.py
	@$(PYTHON) tools/bench_r.py

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

# -- ca-certificates (issue 8): tests make a CA and TLS servers with the openssl command;
# property tests of binding entries and pip output use hypothesis.
.PHONY: ca-test-tools
ca-test-tools:
	@command -v openssl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
	@$(PYTHON) -c 'import hypothesis' 2>/dev/null || $(PYTHON) -m pip install --quiet hypothesis
test-unit integration: ca-test-tools

# --- the platform path: a registry on 127.0.0.1, publishing for platform teams ---------
# `make -s registry` starts CNCF Distribution on 127.0.0.1 (idempotent), prints REGISTRY=…
registry: tools
	@tools/registry.sh

# `make publish REGISTRY=host:port[/path]`: stack images, every buildpackage and the builder.
publish: builder
	@test -n "$(REGISTRY)" || { echo "usage: make publish REGISTRY=host:port[/path]" >&2; exit 2; }
	@$(PYTHON) tools/publish.py "$(REGISTRY)" $(DISTRO) --env-file "$(BUILD_ENV)"

# -- uv (issue 13) ---------------------------------------------------------------
# The uv wheel buildpacks/uv's catalog names, fetched once with pip and checked against the
# catalog's sha256; placed in the loopback mirror where BP_DEPENDENCY_MIRROR finds it.
.PHONY: uv-wheel
uv-wheel:
	@$(PYTHON) tools/fetch-uv.py --mirror "$(PYCNB_CACHE)/mirror" >/dev/null

# Poetry (with its export plugin, as pinned in buildpacks/poetry) and Django: wheels for the
# Poetry, pyproject and Django tests and benchmarks, fetched once into the cache.
.PHONY: wheels-poetry
wheels-poetry:
	@tools/fetch-wheels.sh poetry $$(sed -n 's/^\(poetry[a-z-]*\) = "\(.*\)"/\1==\2/p' buildpacks/poetry/buildpack.toml) >/dev/null
	@tools/fetch-wheels.sh django django==5.2.19 >/dev/null

# -- trixie smoke set (issue 15) -----------------------------------------------------
# `make integration` also builds the trixie stack and builder (idempotent: the stack's content
# key, then `pack builder create`, seconds when warm) and the smoke tests build on it
# (integration/test_trixie.py reads PYCNB_TRIXIE_BUILDER). Its name follows BUILDER's:
# pycnb/builder:trixie for the default builder, $(BUILDER)-trixie for a work tree's own.
ifeq ($(DISTRO),trixie)
TRIXIE_BUILDER ?= $(BUILDER)
else ifeq ($(BUILDER),pycnb/builder:bookworm)
TRIXIE_BUILDER ?= pycnb/builder:trixie
else
TRIXIE_BUILDER ?= $(BUILDER)-trixie
endif
export PYCNB_TRIXIE_BUILDER := $(TRIXIE_BUILDER)
.PHONY: builder-trixie
builder-trixie:
	@$(MAKE) --no-print-directory DISTRO=trixie BUILDER=$(TRIXIE_BUILDER) builder
integration: builder-trixie

# --- R (issue 11): the mirror's miniCRAN repositories, from Debian's r-cran-* sources -------
# `make -s minicran PACKAGES="<CRAN names>"` adds the closure of those packages to
# $PYCNB_CACHE/mirror/cran (and compiles it once into cran-bin/); default: plumber's closure.
.PHONY: minicran
minicran: stack
	@mirror/minicran.sh $(PACKAGES)

# -- R (issue 11) ---------------------------------------------------------------
# The R road alone: cold build, warm rebuild and the r-minicran step (also part of `make bench`);
# PYCNB_BENCH_R_SOURCE=1 adds a cold build compiling the packages from the source repository.
.PHONY: bench-r
bench-r: builder
	@$(PYTHON) tools/bench_r.py
