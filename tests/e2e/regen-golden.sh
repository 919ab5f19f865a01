#!/bin/sh
# Rewrite the golden files after an intended change: stdout and stderr of
# every case of the sample and policy tests, in tests/e2e/golden/<input>/
# (README "Samples and tests"); files no case writes any more are removed.
# Review `git status` and `git diff` after. Usage: regen-golden.sh [BUILDDIR]
set -eu
cd "$(dirname "$0")/../.."
EA_REGEN=1 meson test -C "${1:-build}" sample policy --print-errorlogs
git status --short --untracked-files=all tests/e2e/golden
