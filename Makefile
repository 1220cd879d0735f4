# tktit — Odoo 11 helpdesk addons. `make run` serves a demo, `make test` runs the suite.
# Every variable below can be overridden: make test TEST_DB=x TEST_PORT=8170 TEST_SMTP_PORT=2527
# TEST_IMAP_PORT=1154 TEST_LMTP_PORT=2435
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

DB ?= tktit
PORT ?= 8069
SMTP_PORT ?= 2525
PAYPAL_PORT ?= 8070
TEST_DB ?= tktit_test
TEST_PORT ?= 8169
TEST_SMTP_PORT ?= 2526
# mail in: a local IMAP server (Dovecot) with the support mailbox, fed over LMTP (the SMTP
# sink forwards mail for ALIAS_DOMAIN there), read by Odoo's fetchmail every minute
ALIAS_DOMAIN ?= tktit.example
IMAP_PORT ?= 1143
LMTP_PORT ?= 2424
TEST_IMAP_PORT ?= 1144
TEST_LMTP_PORT ?= 2425
ADDONS ?= tktit_helpdesk,tktit_helpdesk_sla,tktit_helpdesk_billing
# extra pytest arguments, e.g. make test PYTEST_ARGS="-x -k portal"
PYTEST_ARGS ?=
# pytest workers (pytest-xdist), one per core: worker 0 tests TEST_DB, each other one a copy
# with its own ports (+1000 each) and mail sink (scripts/test_workers.sh); 1: no xdist
TEST_WORKERS ?= 2
# what `make lint` runs pylint-odoo on (OCA lints addons; tests/ is our pytest harness)
LINT_ADDONS ?= $(subst $(comma),$(space),$(ADDONS))

comma := ,
space := $(empty) $(empty)
ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
RUN_MAIL_DIR ?= $(ROOT)/var/mail-run
TEST_MAIL_DIR ?= $(ROOT)/var/mail-test$(if $(filter tktit_test,$(TEST_DB)),,-$(TEST_DB))
RUN_IMAP_DIR := $(ROOT)/var/imap-run
TEST_IMAP_DIR := $(ROOT)/var/imap-test$(if $(filter tktit_test,$(TEST_DB)),,-$(TEST_DB))
RUN_CONF := $(ROOT)/var/odoo-$(DB).conf
TEST_CONF := $(ROOT)/var/odoo-test-$(TEST_DB).conf
TEST_LOG := $(ROOT)/var/log/test-$(TEST_DB).log
TEST_WORKERS_TABLE := $(ROOT)/var/test-workers-$(TEST_DB).json
# whole files to a worker (their classes share setUpClass data), in the order of the suite
XDIST_ARGS := $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile)
export NODE_PATH := /usr/share/nodejs

.PHONY: help bootstrap run-setup run test bench load lint sink-run sink-test stop-sinks clean

help:
	@echo "make run    install what is missing, create/upgrade DB '$(DB)' with demo data, serve on http://localhost:$(PORT)"
	@echo "make test   make lint, then the same set-up, fresh DB '$(TEST_DB)', run the whole pytest suite"
	@echo "make lint   flake8, README.rst check, pylint-odoo with OCA's 11.0 checks;  make bench   run bench/ scripts"
	@echo "make load   make run's set-up, then 50 portal customers + 5 dispatchers on one Odoo (workers=2), then on two behind nginx (LOAD_SECONDS=60)"
	@echo "variables:  DB PORT SMTP_PORT IMAP_PORT LMTP_PORT TEST_DB TEST_PORT TEST_SMTP_PORT TEST_IMAP_PORT TEST_LMTP_PORT PYTEST_ARGS"

bootstrap:
	@scripts/bootstrap.sh

sink-run: bootstrap
	@$(PY) scripts/imap_server.py start --dir $(RUN_IMAP_DIR) --imap-port $(IMAP_PORT) \
		--lmtp-port $(LMTP_PORT)
	@$(PY) scripts/smtp_sink.py start --port $(SMTP_PORT) --dir $(RUN_MAIL_DIR) \
		--forward-domain $(ALIAS_DOMAIN) --lmtp-port $(LMTP_PORT)
	@$(PY) scripts/paypal_standin.py start --port $(PAYPAL_PORT) --state-dir $(ROOT)/var/paypal-run

sink-test: bootstrap
	@$(PY) scripts/imap_server.py restart --clean --dir $(TEST_IMAP_DIR) \
		--imap-port $(TEST_IMAP_PORT) --lmtp-port $(TEST_LMTP_PORT)
	@$(PY) scripts/smtp_sink.py restart --clean --port $(TEST_SMTP_PORT) --dir $(TEST_MAIL_DIR) \
		--forward-domain $(ALIAS_DOMAIN) --lmtp-port $(TEST_LMTP_PORT)

# the demo database DB created or upgraded, demo data refreshed (make run, make load)
run-setup: bootstrap sink-run
	@scripts/write_config.sh $(RUN_CONF) $(DB) $(PORT) $(SMTP_PORT)
	@IMAP_PORT=$(IMAP_PORT) ALIAS_DOMAIN=$(ALIAS_DOMAIN) scripts/setup_db.sh $(RUN_CONF) $(DB) \
		$(ADDONS) $(PORT) $(SMTP_PORT) $(ROOT)/var/log/install-$(DB).log
	@PAYPAL_STANDIN_URL=http://127.0.0.1:$(PAYPAL_PORT) scripts/odoo shell -c $(RUN_CONF) \
		-d $(DB) --no-http --log-level=warn --logfile=$(ROOT)/var/log/install-$(DB).log \
		< scripts/demo_refresh.py

run: run-setup
	@echo
	@echo "  tktit helpdesk: http://localhost:$(PORT)/web/login   (portal: http://localhost:$(PORT)/my)"
	@echo "  mails sent by Odoo land in $(RUN_MAIL_DIR)/*.eml"
	@echo "  mail in: send to support@$(ALIAS_DOMAIN) through SMTP 127.0.0.1:$(SMTP_PORT) (any mail client,"
	@echo "    swaks, smtplib): the local IMAP mailbox (127.0.0.1:$(IMAP_PORT)) is fetched every minute"
	@echo "  PayPal: a local stand-in (not PayPal) on http://127.0.0.1:$(PAYPAL_PORT), for the fee escrow"
	@echo "    (customer.acme's ticket 'Migrate our mailboxes to the new server' has a 95.00 quote to confirm: README, The fee escrow)"
	@echo "  demo logins (login / password / who):"
	@grep -v '^#' scripts/demo_logins.txt | sed 's/^/    /'
	@echo "  stop with Ctrl-C"
	@echo
	@exec scripts/odoo -c $(RUN_CONF) -d $(DB)

test: bootstrap lint sink-test
	@scripts/write_config.sh $(TEST_CONF) $(TEST_DB) $(TEST_PORT) $(TEST_SMTP_PORT) $(TEST_LOG)
	@BASE_URL=http://127.0.0.1:$(TEST_PORT) IMAP_PORT=$(TEST_IMAP_PORT) ALIAS_DOMAIN=$(ALIAS_DOMAIN) \
		scripts/setup_db.sh $(TEST_CONF) $(TEST_DB) $(ADDONS) \
		$(TEST_PORT) $(TEST_SMTP_PORT) $(ROOT)/var/log/install-$(TEST_DB).log --fresh
	@mkdir -p artifacts/screenshots
	@scripts/test_workers.sh $(TEST_WORKERS) $(TEST_DB) $(TEST_CONF) $(TEST_MAIL_DIR) \
		$(TEST_PORT) $(TEST_SMTP_PORT) $(TEST_IMAP_PORT) $(TEST_LMTP_PORT) $(ALIAS_DOMAIN) \
		$(TEST_WORKERS_TABLE)
	@echo "[test] pytest on $(TEST_DB), HTTP on 127.0.0.1:$(TEST_PORT), mails in $(TEST_MAIL_DIR), Odoo log $(TEST_LOG)$(if $(filter-out 0 1,$(TEST_WORKERS)), ($(TEST_WORKERS) workers: $(TEST_WORKERS_TABLE)))"
	@rc=0; TKTIT_MAIL_DIR=$(TEST_MAIL_DIR) TKTIT_LMTP_PORT=$(TEST_LMTP_PORT) \
		TKTIT_ALIAS_DOMAIN=$(ALIAS_DOMAIN) TKTIT_TEST_WORKERS=$(TEST_WORKERS_TABLE) \
		$(VENV)/bin/pytest --odoo-config=$(TEST_CONF) \
		--odoo-database=$(TEST_DB) --odoo-log-level=info $(XDIST_ARGS) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "[test] FAILED: no tests were collected" >&2; exit 1; fi; \
	exit $$rc

# 1,000 signatures take about an hour (two wkhtmltopdf runs each): make bench BENCH_SIGNATURES=100,1000
BENCH_SIGNATURES ?= 100
bench: export BILLING_BENCH_SIZES ?= $(BENCH_SIGNATURES)
bench: bootstrap
	@if compgen -G 'bench/*_bench.py' >/dev/null || compgen -G 'bench/*.sh' >/dev/null; then \
		for f in bench/*_bench.py bench/*.sh; do [ -e "$$f" ] || continue; echo "[bench] $$f"; \
			case "$$f" in *.py) $(PY) "$$f";; *.sh) bash "$$f";; esac; done; \
	else echo "[bench] no bench/ scripts yet"; fi

# make run's set-up of DB (no server on PORT), then scripts/load.py: its own servers on
# 8071/8072 (long-polling 8073/8074) and nginx on 8075, all stopped at the end
load: run-setup
	@$(PY) scripts/load.py --db $(DB) --smtp-port $(SMTP_PORT) --mail-dir $(RUN_MAIL_DIR)

# flake8 (setup.cfg); pylint-odoo the OCA way: .pylintrc (every check) as a report that
# never fails, then .pylintrc-mandatory (OCA's blocking checks), which fails on any message;
# last, each README.rst must match its readme/ fragments (scripts/gen_readme.py writes it).
lint: bootstrap
	@$(VENV)/bin/flake8 && echo "[lint] flake8 clean"
	@echo "[lint] pylint-odoo, all checks (.pylintrc, report only)"
	@$(VENV)/bin/pylint --load-plugins=pylint_odoo --rcfile=.pylintrc --exit-zero $(LINT_ADDONS)
	@echo "[lint] pylint-odoo, mandatory checks (.pylintrc-mandatory)"
	@$(VENV)/bin/pylint --load-plugins=pylint_odoo --rcfile=.pylintrc-mandatory $(LINT_ADDONS) \
		&& echo "[lint] pylint-odoo clean (OCA 11.0 mandatory checks)"
	@$(PY) scripts/gen_readme.py --check $(LINT_ADDONS)

stop-sinks:
	-@$(PY) scripts/smtp_sink.py stop --port $(SMTP_PORT)
	-@$(PY) scripts/smtp_sink.py stop --port $(TEST_SMTP_PORT)
	-@$(PY) scripts/imap_server.py stop --dir $(RUN_IMAP_DIR)
	-@$(PY) scripts/imap_server.py stop --dir $(TEST_IMAP_DIR)
	-@for ((i = 1; i < $(TEST_WORKERS); i++)); do \
		$(PY) scripts/smtp_sink.py stop --port $$(($(TEST_SMTP_PORT) + 1000 * i)); \
		$(PY) scripts/imap_server.py stop --dir $(ROOT)/var/imap-test-$(TEST_DB)_w$$i; done

clean: stop-sinks
	rm -rf var artifacts
