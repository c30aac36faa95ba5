package dev.llcuda.engine;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Runs one forward step of a model over a mixed batch against its paged KV cache: the
 * seam between the engine and the native library (or a test double). Used by the engine
 * thread only.
 */
public interface StepRunner extends AutoCloseable {

	int vocabSize();

	/** Most positions one sequence may use (the model's context as loaded). */
	int contextLength();

	/** Blocks of the KV cache this runner writes into. */
	int kvBlocks();

	/** Token positions per KV block. */
	int kvBlockSize();

	/**
	 * Positions a query sees in every layer, its own included, when all layers slide: the
	 * engine then returns blocks wholly before a running sequence's window to the pool.
	 * 0: some layer sees the whole context (this default).
	 */
	default int kvWindow() {
		return 0;
	}

	/**
	 * {@code sampled[i]} of a sequence whose logits had no finite value: that request
	 * alone fails.
	 */
	int NO_FINITE_LOGIT = -2;

	/**
	 * Computes the batch, writes its keys and values into the cache and stores in
	 * {@code sampled[i]} the token drawn for sequence i (left untouched when it does not
	 * sample), or {@link #NO_FINITE_LOGIT}.
	 * @throws StepRejectedException when the step refused the batch for what its requests
	 * ask (nothing was computed); the engine then runs the sequences one by one and fails
	 * only those refused alone
	 * @throws RuntimeException for any other failure (device, memory, internal); the
	 * engine then fails every request it holds
	 */
	void step(List<StepSequence> batch, int[] sampled);

	/**
	 * As {@link #step(List, int[])}, and stores in {@code logprobs[i]} the
	 * log-probabilities of the token drawn for each sequence that
	 * {@link StepSequence#wantsLogprobs() wants them}. A runner that cannot compute them
	 * refuses such sequences (this default).
	 */
	default void step(List<StepSequence> batch, int[] sampled, @Nullable TokenLogprobs[] logprobs) {
		for (StepSequence seq : batch) {
			if (seq.wantsLogprobs()) {
				throw new StepRejectedException("this step runner computes no log-probabilities");
			}
		}
		step(batch, sampled);
	}

	/** Names of the LoRA adapters a {@link StepSequence#adapter()} may name. */
	default Set<String> adapters() {
		return Set.of();
	}

	/** Frees the model and cache. */
	@Override
	void close();

}
