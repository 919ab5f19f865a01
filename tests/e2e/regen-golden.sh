#!/bin/sh
# Rewrite the golden reports after an intended change: review `git diff` after.
set -eu
cd "$(dirname "$0")/../.."
EA_REGEN=1 meson test -C "${1:-build}" sample policy --print-errorlogs
git status --short tests/e2e/golden
