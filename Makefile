# The two commands of a newcomer: `make run` and `make test`. Everything else is a step of them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
DEMO_USER ?= gestionnaire
DEMO_PASSWORD ?= demo-eig-2018

SMTP_DEBUG ?= 127.0.0.1:1025
# The demo's démarches-simplifiées: a DS of our own on loopback (demarches/fake.py) serving the
# demo's démarche, for its page's dry run and sync.
DS_DEMO_PORT ?= 8765
# The demo's webhook receiver (webhooks/receiver.py): the programme's demo webhook sends to it.
WEBHOOK_DEMO_PORT ?= 8766
# The suite on every core (pytest-xdist), a test module's tests together on one (their fixtures
# loaded once); PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: run mail-settings serve worker test install migrate demo lint bench load clean dev-env

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PYTHON=python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The English catalogue (French is the source language); needs gettext's msgfmt.
locale/en/LC_MESSAGES/django.mo: $(VENV)/.installed locale/en/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq gettext >/dev/null; } || true
	msgfmt --check -o $@ locale/en/LC_MESSAGES/django.po

install: $(VENV)/.installed locale/en/LC_MESSAGES/django.mo

migrate: install
	$(BIN)/python manage.py migrate --noinput

# A development checkout: debug on (the settings default to production). Written once, by
# `make run` only; delete .env to go back to the production defaults.
dev-env:
	@[ -f .env ] || printf '# Written by make run: a development checkout (debug on). Delete it in production.\nDJANGO_DEBUG=1\n' > .env

demo: dev-env migrate
	$(BIN)/python manage.py demo --manager $(DEMO_USER) --password $(DEMO_PASSWORD)

# The web server, the task worker (django-q2) and a local mail server that prints every e-mail
# sent; Ctrl-C stops all three.
# The mail server and the application are told the same address, and e-mail links the address
# served, whatever the environment or .env say (the variables given here win over .env).
run mail-settings: export EMAIL_HOST := $(firstword $(subst :, ,$(SMTP_DEBUG)))
run mail-settings: export EMAIL_PORT := $(lastword $(subst :, ,$(SMTP_DEBUG)))
run mail-settings: export EMAIL_USE_TLS := 0
run mail-settings: export EMAIL_HOST_USER :=
run mail-settings: export EMAIL_HOST_PASSWORD :=
run mail-settings: export SITE_URL := http://$(HOST)
run: export DS_API_URL := http://127.0.0.1:$(DS_DEMO_PORT)/api/v2/graphql
run: export DS_API_TOKEN := jeton-de-test-ds
run: export DEMO_WEBHOOK_URL := http://127.0.0.1:$(WEBHOOK_DEMO_PORT)/webhook
run: demo
	@echo "Application : http://$(HOST)/  (identifiant : $(DEMO_USER), mot de passe : $(DEMO_PASSWORD))"
	@echo "E-mails : affichés ici par le serveur SMTP local $(SMTP_DEBUG)"
	@echo "démarches-simplifiées de démonstration : $$DS_API_URL (démarche 4242)"
	@echo "Webhooks : le récepteur de démonstration http://127.0.0.1:$(WEBHOOK_DEMO_PORT)/webhook affiche ici ce qu'il reçoit"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python -m aiosmtpd -n -c aiosmtpd.handlers.Debugging stdout -l $(SMTP_DEBUG) & \
	$(BIN)/python -m demarches.fake --demo --port $(DS_DEMO_PORT) > /dev/null & \
	{ [ -f .demo-webhook-secret ] && $(BIN)/python -m webhooks.receiver --port $(WEBHOOK_DEMO_PORT) \
		--secret-file .demo-webhook-secret | sed -u 's/^/webhook reçu : /' & } ; \
	$(BIN)/python manage.py qcluster & \
	$(BIN)/python manage.py runserver $(HOST)

# What `make run` gives the application for its mail and its links (a test reads it).
mail-settings:
	@$(BIN)/python manage.py shell --no-imports -c "from django.conf import settings as s; print(s.EMAIL_HOST, s.EMAIL_PORT, s.SITE_URL)"

# Production on this machine (docs/deployment.md): everything from the environment, debug off.
# The checks refuse a missing or unsafe setting; migrations run as the tables' owner
# (DATABASE_OWNER_URL) and the application's role gets its rights (checked: it must own no
# table of the trail); static files are collected
# for whitenoise; gunicorn serves with several workers beside the django-q2 workers on Redis.
serve: export DJANGO_DEBUG := 0
serve: install
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py database prepare
	$(BIN)/python manage.py check --deploy --database default --tag database --fail-level WARNING
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py schedules sync > /dev/null
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py qcluster & \
	$(BIN)/gunicorn config.wsgi -c config/gunicorn.py

# The task workers alone (production: beside the web servers, REDIS_URL set; one cluster only
# with Q_SCHEDULER=1, docs/deployment.md).
worker: install
	$(BIN)/python manage.py qcluster

test: install
	@sh scripts/ensure-chromium
	DJANGO_SETTINGS_MODULE=config.test_settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# The benchmarks, written to docs/benchmarks.md: the engine (bench/run.py, which writes the page),
# then the jury's ranking (bench/jury_ranking.py) and the candidates' call's lists and retention
# (bench/recruitment_lists.py), the bulk moves (bench/bulk_moves.py) and the API and webhooks
# (bench/api_webhooks.py), each on its own database,
# each adding its section to the page.
bench: install
	$(BIN)/python bench/run.py
	DATABASE_URL= $(BIN)/python bench/jury_ranking.py
	DATABASE_URL= $(BIN)/python bench/recruitment_lists.py
	DATABASE_URL= $(BIN)/python bench/bulk_moves.py
	DATABASE_URL= $(BIN)/python bench/api_webhooks.py

# The load test (bounded, loopback): gunicorn beside runserver; writes docs/load.md.
load: install
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) *.egg-info
