#!/usr/bin/env bash
# Builds the solution and runs every test suite. The README's test command; CI calls it after installing what the
# tests need (.ci/run).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build DeepMap.sln -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet test DeepMap.sln -c Release --no-build --nologo -v quiet "$@"
