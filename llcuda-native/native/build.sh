#!/usr/bin/env bash
# Builds libllcuda.so (and the native test/bench executables) with CMake and puts the library,
# with its SHA-256, where the Java bootstrap finds it on the classpath.
# Usage: build.sh TARGET_DIR "CUDA_ARCHS" [WERROR]   (CUDA_ARCHS like "75;90"; CUDA is built when nvcc exists;
# WERROR true: every compiler warning is an error, as bin/test builds)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$1"
archs="${2:-75;80;86;89;90}"
werror="${3:-false}"
build="$target/native-build"
mkdir -p "$target"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$here" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DLLCUDA_CUDA_ARCHS="$archs" -DLLCUDA_WERROR="$([[ $werror == true ]] && echo ON || echo OFF)" >"$target/native-configure.log" 2>&1 \
  || { cat "$target/native-configure.log"; exit 1; }
grep -E '^-- llcuda:' "$target/native-configure.log" || true
cmake --build "$build" --parallel "$(nproc)"
dest="$target/classes/dev/llcuda/nativelib/linux-x86_64"
mkdir -p "$dest"
cp "$build/libllcuda.so" "$dest/libllcuda.so"
(cd "$dest" && sha256sum libllcuda.so | cut -d' ' -f1 > libllcuda.so.sha256)
echo "llcuda: libllcuda.so $(cat "$dest/libllcuda.so.sha256")"
