#!/usr/bin/env bash
# Runs the native CPU test program built by build.sh (Maven's test phase calls this), then the same
# program built with AddressSanitizer and UndefinedBehaviorSanitizer (CMake option LLCUDA_SANITIZE,
# CPU backend only, built here into TARGET_DIR/native-sanitize-build): samplers, batch and spec
# validation, kernels and the micro models with every memory or UB finding fatal.
# Usage: test.sh TARGET_DIR TESTDATA_DIR SKIP_TESTS NATIVE_SKIP
# Skipped when SKIP_TESTS (-DskipTests) or NATIVE_SKIP (-Dllcuda.native.skip: no fresh build) is true.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$1"
testdata="$2"
if [[ "${3:-false}" == "true" || "${4:-false}" == "true" ]]; then
  echo "llcuda: native tests skipped"
  exit 0
fi
program="$target/native-build/llcuda-test-cpu"
[[ -x "$program" ]] || { echo "llcuda: $program is missing: build.sh did not build the native tests" >&2; exit 1; }
"$program" "$testdata"

sanitize="$target/native-sanitize-build"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$here" -B "$sanitize" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLLCUDA_SANITIZE=ON \
      >"$target/native-sanitize-configure.log" 2>&1 || { cat "$target/native-sanitize-configure.log"; exit 1; }
cmake --build "$sanitize" --parallel "$(nproc)" --target llcuda-test-cpu llcuda-synth  # the mix checks run llcuda-synth beside it
echo "llcuda: llcuda-test-cpu under AddressSanitizer and UndefinedBehaviorSanitizer"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 "$sanitize/llcuda-test-cpu" "$testdata"
