package dev.llcuda.engine;

import dev.llcuda.nativelib.Adapter;
import dev.llcuda.nativelib.Batch;
import dev.llcuda.nativelib.KvCache;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeException;
import dev.llcuda.nativelib.Status;
import dev.llcuda.nativelib.StepOutput;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@link StepRunner} over the native library: one model and the paged KV cache it
 * creates. The batch and output buffers are reused from step to step, so a step allocates
 * nothing natively unless it is larger than every step before.
 */
public final class NativeStepRunner implements StepRunner {

	private final Model model;

	private final KvCache cache;

	private final AutoCloseable owner;

	private final Batch batch;

	private final StepOutput output = new StepOutput();

	private final int maxBlocksPerSeq;

	private final Map<String, Adapter> adapters;

	private NativeStepRunner(Model model, KvCache cache, AutoCloseable owner, Map<String, Adapter> adapters) {
		this.model = model;
		this.adapters = Map.copyOf(adapters);
		this.cache = cache;
		this.owner = owner;
		long limit = Math.min(model.contextLength(), (long) cache.blocks() * cache.blockSize());
		this.maxBlocksPerSeq = (int) ((limit + cache.blockSize() - 1) / cache.blockSize());
		this.batch = new Batch(maxBlocksPerSeq);
	}

	/**
	 * Creates a KV cache of {@code blocks} blocks of {@code blockSize} positions for
	 * {@code model}. {@code owner} (the model, or whatever holds it) is closed after the
	 * cache by {@link #close()}.
	 */
	public static NativeStepRunner create(Model model, int blocks, int blockSize, KvType kvType, AutoCloseable owner) {
		return create(model, blocks, blockSize, kvType, owner, Map.of());
	}

	/**
	 * As {@link #create(Model, int, int, KvType, AutoCloseable)}, with the LoRA adapters
	 * loaded on {@code model} by name; {@link #close()} frees them before the cache.
	 */
	public static NativeStepRunner create(Model model, int blocks, int blockSize, KvType kvType, AutoCloseable owner,
			Map<String, Adapter> adapters) {
		return new NativeStepRunner(model, model.createKvCache(blocks, blockSize, kvType.abiValue()), owner, adapters);
	}

	@Override
	public Set<String> adapters() {
		return adapters.keySet();
	}

	@Override
	public int vocabSize() {
		return model.vocabSize();
	}

	@Override
	public int contextLength() {
		return model.contextLength();
	}

	@Override
	public int kvBlocks() {
		return cache.blocks();
	}

	@Override
	public int kvBlockSize() {
		return cache.blockSize();
	}

	@Override
	public int kvWindow() {
		return model.kvWindow();
	}

	@Override
	public void step(List<StepSequence> sequences, int[] sampled) {
		step(sequences, sampled, new TokenLogprobs[sequences.size()]);
	}

	@Override
	public void step(List<StepSequence> sequences, int[] sampled, @Nullable TokenLogprobs[] logprobs) {
		batch.clear();
		int top = GenerationRequest.NO_LOGPROBS; // the step computes the most any
													// sequence asks for
		for (StepSequence seq : sequences) {
			int[] table = seq.blockTable();
			int index = batch.addSequence(seq.tokens(), seq.start(), seq.count(), seq.start(), table,
					Math.min(table.length, maxBlocksPerSeq));
			if (seq.sample()) {
				SamplingParams p = seq.sampling();
				// Penalties see the whole sequence so far, prompt included (as llama.cpp
				// applies them).
				batch.sample(index, p, seq.tokens(), p.usesPenalties() ? seq.start() + seq.count() : 0);
				if (seq.allowedTokens() != null) {
					batch.allowTokens(index, seq.allowedTokens());
				}
				top = Math.max(top, seq.topLogprobs());
				if (seq.wantsLogprobs()) {
					batch.logprobsOf(index);
				}
			}
			for (AdapterUse use : seq.adapters()) {
				Adapter adapter = adapters.get(use.name());
				if (adapter == null) {
					throw new StepRejectedException("unknown adapter '" + use.name() + "'");
				}
				batch.adapter(index, adapter, use.scale());
			}
		}
		if (top != GenerationRequest.NO_LOGPROBS) {
			batch.logprobs(top);
		}
		try {
			model.step(cache, batch, output);
		}
		catch (NativeException e) {
			if (e.status() == Status.INVALID_ARGUMENT || e.status() == Status.UNSUPPORTED) {
				throw new StepRejectedException(e.getMessage(), e);
			}
			throw e;
		}
		for (int i = 0; i < sequences.size(); i++) {
			StepSequence seq = sequences.get(i);
			if (seq.sample()) {
				int token = output.sampled(i);
				sampled[i] = token == StepOutput.NO_FINITE_LOGIT ? NO_FINITE_LOGIT : token;
				if (seq.wantsLogprobs() && token >= 0) {
					logprobs[i] = new TokenLogprobs(token, output.modelLogprob(i),
							Arrays.copyOf(output.topTokens(i), seq.topLogprobs()),
							Arrays.copyOf(output.topLogprobs(i), seq.topLogprobs()));
				}
			}
		}
	}

	@Override
	public void close() {
		adapters.values().forEach(Adapter::close);
		cache.close();
		try {
			owner.close();
		}
		catch (Exception e) {
			throw new IllegalStateException("closing the model failed: " + e.getMessage(), e);
		}
	}

}
