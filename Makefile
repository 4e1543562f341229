# Two entry points: `make demo` runs the main job on the embedded default, `make test` runs the suite.
# Each creates .venv when missing and installs what it needs; torch goes first and alone,
# because an unpinned torch would pull gigabytes of CUDA wheels.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-journeywatch
DEMO := examples/demo/journeywatch.yaml

.PHONY: demo test install chromium clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test,scale]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/journeywatch run --config $(DEMO)
	$(BIN)/journeywatch digest --config $(DEMO) --week latest --out digests

# Chromium renders the digest in the screenshot test; without it that test skips and says so.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) 2>/dev/null \
	  || echo "chromium could not be installed: the digest screenshot test will skip"; }

test: $(STAMP) chromium
	$(BIN)/pytest

clean:
	rm -rf examples/demo/journeywatch.db* examples/demo/out digests out
