# Open Data Kontrak — the commands a developer needs. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format db-stop bench-import bench-pdf bench backup restore faults loadtest \
	slowloris bench-selection bench-feeds bench-alerts cluster

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	@touch $@

$(VENV)/.runtime: $(VENV)/.python-ok requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# gettext's xgettext: the test that the English catalogue misses nothing runs makemessages.
$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@command -v xgettext >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q \
		--no-install-recommends gettext >/dev/null; } || \
		{ echo "xgettext is needed: sudo apt-get install -y gettext"; exit 1; }
	@touch $@

## run: set up and serve the portal with demo data at http://127.0.0.1:8000 (Ctrl-C stops it;
## PORT=8010 serves it on another port)
PORT ?= 8000
run: $(VENV)/.runtime
	$(BIN)/python manage.py runportal --bind 127.0.0.1:$(PORT)

## test: set up and run the whole test suite (browser tests need Debian's chromium), on as many
## processes as the machine has cores (TEST_JOBS=0 runs it in one process)
TEST_JOBS ?= auto
test: $(VENV)/.dev
	$(BIN)/python -m pytest -n $(TEST_JOBS) $(PYTEST_ARGS)

## lint: ruff's checks and formatting, without changing anything, and the apps' layers
## (lint-imports: no app imports a higher one, see pyproject.toml)
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## format: let ruff fix what it can and format the code
format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench-import: time the SiRUP importer on ROWS rows (default 10000), rolled back afterwards
bench-import: $(VENV)/.runtime
	$(BIN)/python scripts/bench_import.py $(or $(ROWS),10000)

## bench-pdf: the PDF intake's time and the worker's peak memory for 1, 300 and 3,000 pages and a 20 MB scan
bench-pdf: $(VENV)/.runtime
	$(BIN)/python scripts/bench_pdf.py

## bench: the benchmark at SCALE packages (default 10000): data, gunicorn, wrk, one table
bench: $(VENV)/.runtime
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q wrk; } || \
		{ echo "wrk is needed: sudo apt-get install -y wrk"; exit 1; }
	$(BIN)/python scripts/bench.py --scale $(or $(SCALE),10000) $(BENCH_ARGS)

## bench-selection: the list's selection downloads (CSV, JSON, XLSX) of SCALE packages (default
## 100000, the data set of `make bench`): rows/s and peak memory
bench-selection: $(VENV)/.runtime
	$(BIN)/python scripts/bench_selection.py --scale $(or $(SCALE),100000)

## bench-feeds: the Atom feeds on SCALE packages (default 100000, the data set of `make bench`)
bench-feeds: $(VENV)/.runtime
	$(BIN)/python scripts/bench_feeds.py --scale $(or $(SCALE),100000)

## bench-alerts: the daily digest of SUBSCRIPTIONS (default 10000) confirmed daily subscriptions
## over a day of 500 changes, on the data set of `make bench SCALE=...` (default 10000 packages),
## rolled back afterwards: time (target under 60 s), mails queued, peak memory
bench-alerts: $(VENV)/.runtime
	$(BIN)/python scripts/bench_alerts.py --scale $(or $(SCALE),10000) \
		--subscriptions $(or $(SUBSCRIPTIONS),10000)

## db-stop: stop the embedded PostgreSQL server if it is running
db-stop: $(VENV)/.runtime
	$(BIN)/python -c 'from pathlib import Path; from opendata_kontrak import embedded_db; \
		print("stopped" if embedded_db.stop(Path("var/pgdata")) else "not running")'

## backup: the database and every stored file into var/backups/cadangan-<time>.tar
backup: $(VENV)/.runtime
	$(BIN)/python manage.py backup $(if $(FILE),--output $(FILE))

## restore: replace the database and files with those of FILE=var/backups/....tar (asks first)
restore: $(VENV)/.runtime
	@test -n "$(FILE)" || { echo "Which backup? make restore FILE=var/backups/cadangan-....tar"; exit 1; }
	$(BIN)/python manage.py restore $(FILE)

## faults: a throwaway portal under gunicorn: database restarted under load, workers killed mid-upload
faults: $(VENV)/.runtime
	$(BIN)/python scripts/faults.py

## loadtest: 50 citizens browsing while 5 operators upload, SECONDS long (default 120)
loadtest: $(VENV)/.runtime
	$(BIN)/python scripts/loadtest.py --seconds $(or $(SECONDS),120)

## slowloris: 50 slow clients for SECONDS (default 60) against nginx + gunicorn, then gunicorn alone
slowloris: $(VENV)/.runtime
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		{ [ "$$(id -u)" = 0 ] && apt-get install -y -q --no-install-recommends nginx; } || \
		{ echo "nginx is needed: sudo apt-get install -y nginx"; exit 1; }
	$(BIN)/python scripts/slowloris.py --seconds $(or $(SECONDS),60)

## cluster: the multi-machine topology on loopback (PostgreSQL primary + standby, PgBouncer,
## Redis, S3 on moto, nginx before two gunicorns, two queue workers) under citizens and uploading
## operators for SECONDS (default 180) while an app server and a worker are killed and the
## standby promoted; CLUSTER_ARGS for flags (python scripts/cluster.py --help). Needs root or
## sudo-less access to Debian's postgresql-15, pgbouncer, redis-server and nginx.
cluster: $(VENV)/.runtime
	@for tool in /usr/lib/postgresql/15/bin/pg_ctl /usr/sbin/pgbouncer /usr/bin/redis-server \
		/usr/sbin/nginx; do test -x $$tool || { [ "$$(id -u)" = 0 ] && apt-get install -y -q \
		--no-install-recommends postgresql-15 pgbouncer redis-server nginx >/dev/null; } || \
		{ echo "$$tool is needed: sudo apt-get install -y postgresql-15 pgbouncer redis-server nginx"; \
		exit 1; }; done
	$(BIN)/python scripts/cluster.py --seconds $(or $(SECONDS),180) $(CLUSTER_ARGS)
