#!/usr/bin/env bash
# Builds the solution and runs every test suite: the README's test command, and what CI runs (.ci/run). First it
# installs the Debian packages the tests need when they are missing (scripts/test-packages).
set -euo pipefail
cd "$(dirname "$0")"
scripts/test-packages
dotnet build DeepMap.sln -c Release --nologo -v quiet -clp:ErrorsOnly
# One test project at a time (-m:1): the cluster and CLI suites start real multi-process clusters whose heartbeats and
# step timers must not starve behind another suite on a two-core machine. The console logger prints each failure's
# message, stack and the test's output (node logs), which is all CI shows.
dotnet test DeepMap.sln -c Release --no-build --nologo -v quiet -m:1 --logger "console;verbosity=minimal" "$@"
