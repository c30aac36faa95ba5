#!/usr/bin/env bash
# Builds the CUDA backend and runs its checks and benchmarks on a GPU machine, stage by stage:
#   gpu-checks.sh TESTDATA BUILD_DIR STAGE...
# Stages: build | test | sanitize | synth:SHAPE:TYPE | bench:SHAPE:TYPE[:BATCHES] | profile:SHAPE:TYPE[:N]
#         | embed-bench:SHAPE:TYPE[:NxL] (an encoder shape, e.g. bert-micro; embeddings/s on CUDA and the CPU)
# Logs go to stdout; synthetic models are written to BUILD_DIR/models (never committed).
# LLCUDA_KV=q8_0 benchmarks with a Q8_0 KV cache (default f16).
# LLCUDA_SAMPLING="--temp 0.8 --top-p 0.95" benchmarks sampled instead of greedy decoding.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
testdata="$(cd "$1" && pwd)"
build="$2"
shift 2
mkdir -p "$build/models"
vocab="$testdata/vocab/ggml-vocab-llama-spm.gguf"
for stage in "$@"; do
    IFS=: read -r what shape type batches <<<"$stage"
    echo "=== $stage ($(date -u +%H:%M:%S))"
    case "$what" in
        build)
            cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLCUDA_CUDA_ARCHS="${LLCUDA_CUDA_ARCHS:-90}" \
                | grep -E '^-- llcuda:'
            cmake --build "$build" --parallel "$(nproc)" --target llcuda-test-cuda llcuda-bench llcuda-synth llcuda-embed || exit 1 ;;
        test)
            "$build/llcuda-test-cuda" "$testdata" ;;
        sanitize)
            # The kernels with shared-memory exchanges and the whole-model steps (LLCUDA_SANITIZE_ONLY narrows it).
            only="${LLCUDA_SANITIZE_ONLY:-rope attention sampling invariance}"
            LLCUDA_TEST_ONLY="$only" \
                compute-sanitizer --tool memcheck --leak-check full --error-exitcode 9 "$build/llcuda-test-cuda" "$testdata" \
                | grep -E 'passed|ERROR SUMMARY|FAIL|Invalid' ; echo "memcheck exit ${PIPESTATUS[0]}"
            LLCUDA_TEST_ONLY="$only" \
                compute-sanitizer --tool racecheck --error-exitcode 9 "$build/llcuda-test-cuda" "$testdata" \
                | grep -E 'passed|RACECHECK SUMMARY|FAIL|Race reported' ; echo "racecheck exit ${PIPESTATUS[0]}" ;;
        synth)
            shape_vocab="$vocab"
            case "$shape" in bert-*|nomic-*) shape_vocab="$testdata/vocab/ggml-vocab-bert-bge.gguf" ;; esac
            # Qwen3's 151,936-token vocabulary is not in the test data: the largest one there (Llama 3's
            # 128,256) keeps the output projection near its real size.
            case "$shape" in qwen3moe-*) shape_vocab="$testdata/vocab/ggml-vocab-llama-bpe.gguf" ;; esac
            [ -f "$build/models/$shape-$type.gguf" ] ||
                "$build/llcuda-synth" --shape "$shape" --type "$type" --vocab "$shape_vocab" --out "$build/models/$shape-$type.gguf" ;;
        embed-bench)
            for backend in cuda cpu; do
                "$build/llcuda-embed" --model "$build/models/$shape-$type.gguf" --backend "$backend" --bench "${batches:-512x128}"
            done ;;
        bench)
            "$build/llcuda-bench" --model "$build/models/$shape-$type.gguf" --backend cuda \
                --batches "${batches:-1,4,8,16,32,64,128}" --bandwidth "${LLCUDA_BANDWIDTH_GBPS:-3350}" \
                --kv "${LLCUDA_KV:-f16}" ${LLCUDA_SAMPLING:-} ;;
        profile)
            # Nsight Compute's GPU time per kernel. Without BATCHES: one-token steps. With a
            # concurrency N (32 or more): the decode steps of N sequences, after skipping the
            # first 12,000 kernels (the single-sequence runs and the N prompts; 129 decode steps follow).
            if [ -z "$batches" ]; then window=(); args=(-p 1 -n 8 -r 1 --batches "")
            else window=(--launch-skip 12000 --launch-count 800); args=(-p 1 -n 1 -r 1 --batches "$batches"); fi
            ncu --clock-control none --metrics gpu__time_duration.sum --print-summary per-kernel "${window[@]}" \
                "$build/llcuda-bench" --model "$build/models/$shape-$type.gguf" --backend cuda "${args[@]}" ;;
        *) echo "unknown stage $stage"; exit 2 ;;
    esac
done
echo "=== done ($(date -u +%H:%M:%S))"
