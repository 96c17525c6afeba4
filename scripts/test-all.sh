#!/usr/bin/env bash
# Installs everything and runs every check and test. The README's test command runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM="npx -y pnpm@10.34.8"
$PNPM install --frozen-lockfile
$PNPM run test:all
