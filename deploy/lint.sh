#!/usr/bin/env bash
# Formatting and lint, as CI checks them (deploy/test.sh runs this):
#   clang-format  every .cc, .h and .proto of ours matches .clang-format
#   clang-tidy    our libraries and programs (server/, client/, common/,
#                 proto/rectrack/) are clean under .clang-tidy (its header
#                 says which checks and why); tests and benchmarks are
#                 compiled with -Werror and run instead
#   buf           proto/ passes buf lint (STANDARD, exceptions in
#                 proto/buf.yaml) and buf breaking against HEAD~1
# Fix formatting with: git ls-files '*.cc' '*.h' '*.proto' | xargs clang-format -i
# Usage: deploy/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Checking formatting (clang-format)..."
git ls-files '*.cc' '*.h' '*.proto' | xargs clang-format --dry-run --Werror
# clang-tidy reads the compile commands of a build; only the generated
# protobuf headers need building for it.
echo "Checking our code with clang-tidy (a few minutes)..."
cmake -S . -B build-lint -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DRECTRACK_BUILD_TESTS=OFF -DRECTRACK_BUILD_BENCH=OFF >/dev/null
cmake --build build-lint --target rectrack_proto >/dev/null
files=$(git ls-files 'server/*.cc' 'client/*.cc' 'common/*.cc' 'proto/rectrack/*.cc')
# run-clang-tidy prints every file's command line; keep only the findings.
if ! out=$(run-clang-tidy -p build-lint -j "$(nproc)" -quiet $files 2>&1); then
  echo "$out" | grep -E "(warning|error):" | grep -v "warnings generated" >&2 || echo "$out" >&2
  echo "clang-tidy found problems (above); fix them, or where a finding is wrong say why in a NOLINT(check) comment" >&2
  exit 1
fi
echo "Checking the API with buf lint and buf breaking..."
# @bufbuild/buf ships the buf binary; its version is pinned in
# deploy/buf/package-lock.json.
(cd deploy/buf && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
buf=deploy/buf/node_modules/.bin/buf
"$buf" lint proto
# A change that would break a generated client (a field renumbered, a
# method or field removed, a type changed) fails against the previous
# commit: STANDARD lint with the exceptions written in proto/buf.yaml.
if git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
  # The previous commit is built with this commit's exclusions, so a
  # commit that adds or moves proto/buf.yaml is compared like any other.
  "$buf" breaking proto --against ".git#ref=HEAD~1,subdir=proto" \
    --against-config '{"version":"v1","build":{"excludes":["third_party"]}}'
else
  echo "buf breaking: SKIPPED, this clone has no previous commit to" \
    "compare with (a shallow clone?)" >&2
fi
echo "Formatting, clang-tidy and buf: clean"
