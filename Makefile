# SổHội — the two commands a fresh machine needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# Find a Python >= 3.12: PYTHON=... wins, then python3.13, python3.12, python3, then pyenv's versions.
PYTHON ?= $(shell ./scripts/find-python)

.PHONY: help install run test test-sqlite test-postgres bench lint migrations-check clean

help:
	@echo "make run    — cài đặt, tạo CSDL, nạp dữ liệu mẫu và chạy máy chủ (http://127.0.0.1:8000)"
	@echo "make test   — chạy toàn bộ bộ kiểm thử (DATABASE_URL=postgres://… để chạy trên PostgreSQL)"
	@echo "make bench  — chạy các phép đo hiệu năng (JSON)"

$(STAMP): pyproject.toml uv.lock
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Không tìm thấy Python >= 3.12 / No Python >= 3.12 found."; \
	  echo "Cài python3.12 (Debian 13/Ubuntu 24.04: apt install python3.12 python3.12-venv) hoặc chỉ định PYTHON=/đường/dẫn/python3.12"; \
	  echo "On the project machines: PYTHON=\$$(pyenv root)/versions/3.12.1/bin/python3.12 make ..."; \
	  exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.8
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	@touch $(STAMP)

install: $(STAMP)

run: install
	@mkdir -p var
	$(BIN)/sohoi migrate --noinput -v 0
	$(BIN)/sohoi load_areas
	$(BIN)/sohoi demo --if-empty
	@$(BIN)/sohoi demo --print-logins
	@echo ""
	@echo "SổHội đang chạy tại http://127.0.0.1:8000/  (Ctrl+C để dừng)"
	@# The background worker (large imports, exports) runs beside the server and stops with it.
	@$(BIN)/sohoi db_worker --interval 0.5 >var/worker.log 2>&1 & WORKER=$$!; \
	  trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/sohoi runserver 127.0.0.1:8000

test: install
	$(BIN)/sohoi makemigrations --check --dry-run >/dev/null || (echo "Thiếu migration: chạy sohoi makemigrations" && exit 1)
	$(BIN)/pytest -n $${TEST_WORKERS:-auto} $(PYTEST_ARGS)

test-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sohoi} $(MAKE) test

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check sohoi tests bench
	$(BIN)/ruff format --check sohoi tests bench

clean:
	rm -rf $(VENV) var/test-output

.PHONY: messages
messages: install  ## refresh the English catalogue after adding interface strings, then translate the new entries
	$(BIN)/sohoi makemessages -l en --add-location=file --ignore=.venv --ignore=var --ignore=bench --ignore="*/tests/*"
	$(BIN)/sohoi compilemessages --ignore=.venv
