#!/usr/bin/env bash
# Static checks of the ops artefacts: alert rules parse, their unit tests pass, Prometheus config is valid.
set -euo pipefail
cd "$(dirname "$0")"
promtool check rules alerts.yml
promtool test rules alerts.test.yml
promtool check config --syntax-only prometheus.yml
