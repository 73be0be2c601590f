# Herald — `make run` serves Herald with a demo tenant; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
HOST ?= 127.0.0.1
PORT ?= 8000
# test processes (pytest-xdist): `make test TEST_WORKERS=0` runs the suite in one process
TEST_WORKERS ?= auto

.PHONY: install run test lint clean system-deps

# Programs some tests drive for real: xmlsec1 (SAML signatures), Debian's chromium (console
# browser tests; never a downloaded browser), tesseract with its language data and a Devanagari
# font (image enricher tests). A path stands for a data file. Installed with apt-get when missing
# and allowed.
SYSTEM_DEPS := xmlsec1:xmlsec1 /usr/bin/chromium:chromium tesseract:tesseract-ocr \
  /usr/share/tesseract-ocr/5/tessdata/ara.traineddata:tesseract-ocr-ara /usr/share/tesseract-ocr/5/tessdata/fas.traineddata:tesseract-ocr-fas \
  /usr/share/tesseract-ocr/5/tessdata/urd.traineddata:tesseract-ocr-urd /usr/share/tesseract-ocr/5/tessdata/hin.traineddata:tesseract-ocr-hin \
  /usr/share/fonts/truetype/lohit-devanagari:fonts-lohit-deva

$(VENV)/.installed: pyproject.toml $(addsuffix /pyproject.toml,$(PLUGIN_DIRS))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]' $(addprefix -e ./,$(PLUGIN_DIRS))
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/herald init --demo
	$(BIN)/herald serve --host $(HOST) --port $(PORT)

system-deps:
	@missing=""; for dep in $(SYSTEM_DEPS); do prog=$${dep%%:*}; pkg=$${dep##*:}; \
	  { [ -e $$prog ] || command -v $$prog >/dev/null 2>&1; } || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing (Debian packages)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing — install them (apt-get install$$missing) for the SAML, console and image tests"; fi; \
	fi

test: install system-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance
