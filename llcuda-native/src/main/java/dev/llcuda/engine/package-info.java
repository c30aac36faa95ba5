/**
 * Continuous-batching inference (modelled on vLLM's v1 core).
 * {@link dev.llcuda.engine.Engine} runs one model on one thread: each step the
 * {@code Scheduler} fills a token budget with decode tokens of running sequences, then
 * prompt chunks, preempting the newest sequence when KV blocks run out; the
 * {@code KvCacheManager} hands out fixed-size blocks of the {@code BlockPool}, whose free
 * queue is also the LRU eviction order of the prefix cache (full blocks keyed by a hash
 * chain of their tokens); a {@link dev.llcuda.engine.StepRunner} runs the forward pass
 * ({@link dev.llcuda.engine.NativeStepRunner} over the native library). Callers submit a
 * {@link dev.llcuda.engine.GenerationRequest} and get a
 * {@link dev.llcuda.engine.RequestHandle}: a token stream ({@code Flow.Publisher}), a
 * result future and {@code cancel()}. {@link dev.llcuda.engine.ModelEngine} wires a GGUF
 * file, its tokenizer and a backend together.
 */
@NullMarked
package dev.llcuda.engine;

import org.jspecify.annotations.NullMarked;
