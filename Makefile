# Pixhound: the commands a developer and CI use. `make help` lists them.
SHELL := /bin/bash
PY := .venv/bin/python
STACK ?= embedded
PYTEST_ARGS ?=

.PHONY: help install run test demo crawl match-eval bench-crawl bench-match bench-match-scale bench-portal up down proto proto-check docs messages lint k8s clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## create .venv with every package (cached downloads)
	@scripts/bootstrap.sh

run: install ## run the whole platform in one process on embedded defaults (SQLite, local folder, in-process bus)
	@$(PY) -m pixhound_embedded run

test: install ## the whole test suite on real Kafka, PostgreSQL and S3 (installed and started here)
	@scripts/test.sh $(PYTEST_ARGS)

demo: install ## the stolen-photo scenario end to end (STACK=embedded or STACK=real after `make up`)
	@$(PY) -m pixhound_embedded demo --stack $(STACK)

crawl: install ## one crawl to JSON lines: make crawl SEEDS=<url>[,<url>] [ALLOW=<cidr>[,<cidr>]] OUT=<file.jsonl>
	@test -n "$(SEEDS)" -a -n "$(OUT)" || { echo "usage: make crawl SEEDS=<url>[,<url>...] [ALLOW=<cidr>,...] OUT=<file.jsonl>"; exit 2; }
	@$(PY) -m pixhound_crawler scan --seeds "$(SEEDS)" --allow "$(ALLOW)" --out "$(OUT)"

match-eval: install ## matcher quality and speed: make match-eval REFS=<dir> QUERIES=<dir> TRUTH=<csv> [OUT=<file.json>]
	@test -n "$(REFS)" -a -n "$(QUERIES)" -a -n "$(TRUTH)" || { echo "usage: make match-eval REFS=<dir> QUERIES=<dir> TRUTH=<csv> [OUT=<file.json>]"; exit 2; }
	@$(PY) -m pixhound_matcher.evaluate --refs "$(REFS)" --queries "$(QUERIES)" --truth "$(TRUTH)" $(if $(OUT),--out "$(OUT)")

bench-match: install ## build the matcher benchmark set from BSDS500 (../shared/data) and evaluate it
	@$(PY) benchmarks/match_set.py --photos $${PHOTOS:-../shared/data/photos/bsds500-train} --out .local/matchset >/dev/null
	@$(MAKE) --no-print-directory match-eval REFS=.local/matchset/refs QUERIES=.local/matchset/queries TRUTH=.local/matchset/truth.csv OUT=.local/matchset/result.json

bench-match-scale: install ## matcher index latency and memory from 10k to 1M references (synthetic fingerprints)
	@$(PY) benchmarks/match_scale.py --sizes $${SIZES:-10000,100000,1000000} --features-up-to $${FEATURES_UP_TO:-1000000}

bench-crawl: install ## crawler pages/s against host count, and memory (starts the local infrastructure)
	@infra/up.sh >/dev/null && eval "$$(infra/env.sh)" && $(PY) benchmarks/crawl_bench.py --hosts $${HOSTS:-10,100,1000} --seconds $${SECONDS_PER_RUN:-90}

bench-portal: install ## portal pages' server time p50/p95 and inbox weight for 1,000 photos and 500 matches (embedded)
	@$(PY) benchmarks/portal_bench.py --requests $${REQUESTS:-200} --out $${OUT:-.local/portal-bench.json}

up: install ## start Kafka, PostgreSQL, S3, a mail server, the five services and the portal as separate processes
	@infra/up.sh && infra/services.sh start

down: ## stop everything `make up` started
	@infra/services.sh stop; infra/down.sh

proto: install ## regenerate the Python event code from proto/
	@$(PY) proto/generate.py

proto-check: install ## fail if the generated event code drifted from proto/
	@$(PY) proto/generate.py --check

docs: install ## regenerate docs/configuration.md from the settings classes
	@$(PY) scripts/settings_reference.py

messages: install ## extract the portal's messages and update the catalogues
	@cd apps/portal && ../../.venv/bin/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output \
		--project Pixhound --copyright-holder Pixhound -o src/pixhound_portal/locale/messages.pot .
	@cd apps/portal && for locale in fr en; do ../../.venv/bin/pybabel -q update --ignore-obsolete --ignore-pot-creation-date \
		-i src/pixhound_portal/locale/messages.pot -d src/pixhound_portal/locale -l $$locale; done

lint: install ## static checks
	@.venv/bin/ruff check .

k8s: ## render the Kubernetes manifests (dev overlay)
	@"$$(deploy/tools/kustomize.sh)" build deploy/k8s/overlays/dev

clean: down ## remove local state (databases, objects, logs); keeps the download cache
	@rm -rf .local
