#!/usr/bin/env bash
# Runs the native CPU test program built by build.sh (Maven's test phase calls this).
# Usage: test.sh TARGET_DIR TESTDATA_DIR SKIP_TESTS NATIVE_SKIP
# Skipped when SKIP_TESTS (-DskipTests) or NATIVE_SKIP (-Dllcuda.native.skip: no fresh build) is true.
set -euo pipefail
target="$1"
testdata="$2"
if [[ "${3:-false}" == "true" || "${4:-false}" == "true" ]]; then
  echo "llcuda: native tests skipped"
  exit 0
fi
program="$target/native-build/llcuda-test-cpu"
[[ -x "$program" ]] || { echo "llcuda: $program is missing: build.sh did not build the native tests" >&2; exit 1; }
exec "$program" "$testdata"
