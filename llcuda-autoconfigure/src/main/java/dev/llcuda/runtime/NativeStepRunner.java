package dev.llcuda.runtime;

import java.util.List;

import dev.llcuda.engine.SamplingParams;
import dev.llcuda.engine.StepRunner;
import dev.llcuda.engine.StepSequence;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Batch;
import dev.llcuda.nativelib.KvCache;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.StepOutput;

/**
 * Runs the engine's steps on a native model and its paged KV cache: one {@code llcuda_step} per
 * batch. Owns the backend, model and cache and frees them on close. Engine thread only.
 */
final class NativeStepRunner implements StepRunner {

    private final Backend backend;
    private final Model model;
    private final KvCache cache;
    private final Batch batch;
    private final StepOutput output = new StepOutput();

    NativeStepRunner(Backend backend, Model model, KvCache cache) {
        this.backend = backend;
        this.model = model;
        this.cache = cache;
        int blocksPerSequence = Math.min(cache.blocks(), (model.contextLength() + cache.blockSize() - 1) / cache.blockSize());
        this.batch = new Batch(blocksPerSequence);
    }

    @Override
    public int vocabSize() {
        return this.model.vocabSize();
    }

    @Override
    public int contextLength() {
        return this.model.contextLength();
    }

    @Override
    public int kvBlocks() {
        return this.cache.blocks();
    }

    @Override
    public int kvBlockSize() {
        return this.cache.blockSize();
    }

    @Override
    public void step(List<StepSequence> sequences, int[] sampled) {
        this.batch.clear();
        for (StepSequence sequence : sequences) {
            int index = this.batch.addSequence(sequence.tokens(), sequence.start(), sequence.count(), sequence.start(),
                    sequence.blockTable(), sequence.blockTable().length);
            if (sequence.sample()) {
                dev.llcuda.nativelib.SamplingParams params = nativeParams(sequence.sampling());
                if (params.usesHistory()) {
                    this.batch.sample(index, params, sequence.tokens(), sequence.start() + sequence.count());
                } else {
                    this.batch.sample(index, params);
                }
            }
        }
        this.model.step(this.cache, this.batch, this.output);
        for (int i = 0; i < sequences.size(); i++) {
            if (sequences.get(i).sample()) {
                sampled[i] = this.output.sampled(i);
            }
        }
    }

    private static dev.llcuda.nativelib.SamplingParams nativeParams(SamplingParams p) {
        return new dev.llcuda.nativelib.SamplingParams(p.temperature(), p.topK(), p.topP(), p.minP(),
                p.repetitionPenalty(), p.frequencyPenalty(), p.presencePenalty(), p.seed());
    }

    @Override
    public void close() {
        this.cache.close();
        this.model.close();
        this.backend.close();
    }
}
