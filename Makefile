# 智慧星用工 LaborSign — the two commands a newcomer needs:
#   make run    set up and run the platform on the embedded default (SQLite, local archive,
#               built-in CA and TSA, file SMS backend, seeded demo)
#   make test   set up and run the whole test suite (SQLite + PostgreSQL, local + S3 archive)
# Both install exactly what uv.lock pins; `make lock` refreshes it (a deliberate step).

VENV     ?= .venv
PYTHON   ?= python3
BIN      := $(VENV)/bin
# uv lives in a small environment of its own, so that it can sync $(VENV) exactly.
UV_HOME  := .uv
UV       := $(UV_HOME)/bin/uv
FLASK    := $(BIN)/flask --app wsgi
HOST     ?= 127.0.0.1
PORT     ?= 5000
# Test processes (pytest-xdist): "auto" = one per CPU core, at most MAXWORKERS (each holds
# PostgreSQL connections of its own).
WORKERS  ?= auto
MAXWORKERS ?= 6
APT_RUN  := fonts-wqy-microhei
APT_TEST := fonts-wqy-microhei poppler-utils qpdf libnss3-tools softhsm2 opensc openssl chromium nginx nodejs zbar-tools
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# uv installs exactly what uv.lock names (hashes checked) into $(VENV), with this machine's
# Python, never one it downloads; --locked fails when pyproject.toml and uv.lock disagree.
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON_DOWNLOADS := never
UV_SYNC  := $(UV) sync --locked --python $(PYTHON)

.PHONY: run test venv venv-test deps-run deps-test deps-npm lint lock lock-check bench clean-instance

# uv itself, from requirements-uv.txt (one release, pinned with hashes), is all pip installs.
$(UV): requirements-uv.txt
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/pip install -q --no-deps --require-hashes -r requirements-uv.txt
	test -x $@ && touch $@

# `make run` installs the runtime packages only; `make test` adds the test extras.
$(BIN)/.installed: pyproject.toml uv.lock $(UV)
	$(UV_SYNC)
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed pyproject.toml uv.lock
	$(UV_SYNC) --extra test
	touch $@

venv: $(BIN)/.installed

venv-test: $(BIN)/.installed-test

# A deliberate dependency upgrade: refresh the lock, then `make test`, then commit both files.
# (uv itself: change required-version in pyproject.toml and UV_RELEASE here, then `make lock`.)
UV_RELEASE := 0.13.9
lock: $(UV)
	$(UV) lock --upgrade
	echo "uv==$(UV_RELEASE)" > $(UV_HOME)/pin.in
	$(UV) pip compile $(UV_HOME)/pin.in --generate-hashes --no-header --python-version 3.11 \
	  -q -o $(UV_HOME)/pin.txt
	grep -q '^uv==$(UV_RELEASE) ' $(UV_HOME)/pin.txt
	{ sed -n 1,2p requirements-uv.txt; cat $(UV_HOME)/pin.txt; } > $(UV_HOME)/requirements-uv.txt
	mv $(UV_HOME)/requirements-uv.txt requirements-uv.txt

# Fails when pyproject.toml and uv.lock disagree (also checked by every install and the suite).
lock-check: $(UV)
	$(UV) lock --check

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi
endef

deps-run:
	$(call apt_install,$(APT_RUN))

deps-test:
	$(call apt_install,$(APT_TEST))

# Browser-test tools (axe-core for the accessibility tests), exactly as package-lock.json pins
# them (integrity hashes checked), with no install scripts run.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

deps-npm: deps-test node_modules/.package-lock.json

# The scheduler of the periodic jobs (reminders, link expiry, reconciliation, expiry notices)
# runs beside the web server; it is stopped when the server stops (Ctrl-C, kill, an error).
run: deps-run venv
	$(FLASK) db upgrade
	$(FLASK) ca init
	BASE_URL=http://$(HOST):$(PORT) $(FLASK) seed-demo
	@echo "Serving on http://$(HOST):$(PORT) with the scheduler beside it  (Ctrl-C to stop)"
	export BASE_URL=http://$(HOST):$(PORT); \
	$(FLASK) schedule run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: deps-test deps-npm venv-test
	$(BIN)/pytest -n $(WORKERS) --maxprocesses $(MAXWORKERS)

lint: venv-test
	$(BIN)/ruff check .

bench: venv-test
	$(BIN)/python bench/sign_pipeline.py

clean-instance:
	rm -rf instance
