package dev.llcuda.nativelib;

import com.sun.jna.Pointer;

/**
 * What one step returned, in native buffers reused from step to step: the sampled token
 * and its log-probability per sequence and the requested logits rows in batch order.
 * Valid until the next step that writes into this output.
 */
public final class StepOutput {

	private final NativeBuffer sampled = new NativeBuffer();

	private final NativeBuffer logprobs = new NativeBuffer();

	private final NativeBuffer logits = new NativeBuffer();

	private final NativeBuffer modelLogprobs = new NativeBuffer();

	private final NativeBuffer topTokens = new NativeBuffer();

	private final NativeBuffer topLogprobs = new NativeBuffer();

	private final LlcudaLibrary.StepOutputStruct struct = new LlcudaLibrary.StepOutputStruct();

	private int sequences;

	private int rows;

	private int vocabSize;

	private int top = Batch.NO_LOGPROBS;

	public StepOutput() {
		struct.setAutoRead(false);
		struct.setAutoWrite(false);
	}

	/**
	 * Sizes the buffers for {@code batch} and returns the struct the native step fills.
	 */
	LlcudaLibrary.StepOutputStruct prepare(Batch batch, int vocabSize) {
		this.sequences = batch.sequenceCount();
		this.rows = batch.logitRowCount();
		this.vocabSize = vocabSize;
		long logitFloats = (long) rows * vocabSize;
		struct.sampled = sampled.reserve((long) sequences * Integer.BYTES);
		struct.logprobs = logprobs.reserve((long) sequences * Float.BYTES);
		struct.logits = rows == 0 ? null : logits.reserve(logitFloats * Float.BYTES);
		struct.logits_capacity = logitFloats;
		this.top = batch.topLogprobs();
		boolean logprobs = top != Batch.NO_LOGPROBS;
		struct.model_logprobs = logprobs ? modelLogprobs.reserve((long) sequences * Float.BYTES) : null;
		struct.top_tokens = logprobs && top > 0 ? topTokens.reserve((long) sequences * top * Integer.BYTES) : null;
		struct.top_logprobs = logprobs && top > 0 ? topLogprobs.reserve((long) sequences * top * Float.BYTES) : null;
		struct.write();
		return struct;
	}

	/**
	 * {@code LLCUDA_SAMPLE_NO_FINITE_LOGIT}: the sequence's logits had no finite value
	 * (it alone failed).
	 */
	public static final int NO_FINITE_LOGIT = -2;

	/**
	 * The token sampled for sequence {@code seq}; -1 when it was not sampled, or
	 * {@link #NO_FINITE_LOGIT}.
	 */
	public int sampled(int seq) {
		return struct.sampled.getInt((long) checkSequence(seq) * Integer.BYTES);
	}

	/** The log-probability of the token sampled for sequence {@code seq}. */
	public float logprob(int seq) {
		return struct.logprobs.getFloat((long) checkSequence(seq) * Float.BYTES);
	}

	/**
	 * The model's log-probability of the token sampled for sequence {@code seq}
	 * (log-softmax of its raw logits), when the batch asked for log-probabilities.
	 */
	public float modelLogprob(int seq) {
		requireLogprobs();
		return struct.model_logprobs.getFloat((long) checkSequence(seq) * Float.BYTES);
	}

	/**
	 * The {@link Batch#topLogprobs()} most probable tokens of sequence {@code seq}, most
	 * probable first (-1 past the finite logits).
	 */
	public int[] topTokens(int seq) {
		requireLogprobs();
		return top == 0 ? new int[0]
				: struct.top_tokens.getIntArray((long) checkSequence(seq) * top * Integer.BYTES, top);
	}

	/** Their log-probabilities. */
	public float[] topLogprobs(int seq) {
		requireLogprobs();
		return top == 0 ? new float[0]
				: struct.top_logprobs.getFloatArray((long) checkSequence(seq) * top * Float.BYTES, top);
	}

	private void requireLogprobs() {
		if (top == Batch.NO_LOGPROBS) {
			throw new IllegalStateException("the last step asked for no log-probabilities");
		}
	}

	/** Rows of logits returned (the tokens flagged in the batch, in batch order). */
	public int logitRows() {
		return rows;
	}

	public int vocabSize() {
		return vocabSize;
	}

	/**
	 * Copies row {@code row} of the returned logits into {@code destination}
	 * ({@code vocabSize()} floats).
	 */
	public void logitsRow(int row, float[] destination) {
		if (row < 0 || row >= rows) {
			throw new IndexOutOfBoundsException("logits row " + row + " of " + rows);
		}
		Pointer base = struct.logits;
		base.read((long) row * vocabSize * Float.BYTES, destination, 0, vocabSize);
	}

	/** A copy of the returned logits row. */
	public float[] logitsRow(int row) {
		float[] copy = new float[vocabSize];
		logitsRow(row, copy);
		return copy;
	}

	private int checkSequence(int seq) {
		if (seq < 0 || seq >= sequences) {
			throw new IndexOutOfBoundsException("sequence " + seq + " of " + sequences + " in the last step");
		}
		return seq;
	}

}
