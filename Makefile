# 智慧星用工 LaborSign — the two commands a newcomer needs:
#   make run    set up and run the platform on the embedded default (SQLite, local archive,
#               built-in CA and TSA, file SMS backend, seeded demo)
#   make test   set up and run the whole test suite (SQLite + PostgreSQL, local + S3 archive)

VENV     ?= .venv
PYTHON   ?= python3
BIN      := $(VENV)/bin
FLASK    := $(BIN)/flask --app wsgi
HOST     ?= 127.0.0.1
PORT     ?= 5000
APT_RUN  := fonts-wqy-microhei
APT_TEST := fonts-wqy-microhei poppler-utils qpdf libnss3-tools softhsm2 opensc openssl chromium nginx
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test venv venv-test deps-run deps-test lint bench clean-instance

# `make run` installs the runtime packages only; `make test` adds the test extras.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(BIN)/.installed

venv-test: $(BIN)/.installed-test

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi
endef

deps-run:
	$(call apt_install,$(APT_RUN))

deps-test:
	$(call apt_install,$(APT_TEST))

run: deps-run venv
	$(FLASK) db upgrade
	$(FLASK) ca init
	BASE_URL=http://$(HOST):$(PORT) $(FLASK) seed-demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	BASE_URL=http://$(HOST):$(PORT) $(FLASK) run --host $(HOST) --port $(PORT)

test: deps-test venv-test
	$(BIN)/pytest

lint: venv-test
	$(BIN)/ruff check .

bench: venv-test
	$(BIN)/python bench/sign_pipeline.py

clean-instance:
	rm -rf instance
