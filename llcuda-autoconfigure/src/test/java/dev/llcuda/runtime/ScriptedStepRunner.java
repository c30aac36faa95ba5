package dev.llcuda.runtime;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.llcuda.engine.StepRunner;
import dev.llcuda.engine.StepSequence;

/**
 * A step runner without a model, for tests of everything around the engine: the token
 * after position p is a pure function of the seed, p and the previous token, skipping the
 * first three ids (unknown, BOS, EOS of a SentencePiece vocabulary); at a set position it
 * ends generation.
 */
public final class ScriptedStepRunner implements StepRunner {

	/** First id the script emits: ids below are the vocabulary's control tokens. */
	static final int FIRST_TEXT_TOKEN = 3;

	/**
	 * A step sampling a sequence with this seed fails as a device fault would (the engine
	 * then fails).
	 */
	public static final long DEVICE_FAULT_SEED = 0xdeadL;

	private final int vocabSize;

	private final int contextLength;

	private final int kvBlocks;

	private final int kvBlockSize;

	private final int endOfGeneration;

	private final int endAtLength;

	private final long stepMillis;

	private final AtomicBoolean closed = new AtomicBoolean();

	/**
	 * @param endOfGeneration id emitted as the token at position {@code endAtLength}
	 * @param stepMillis time each step takes, so tests can act while a request runs
	 */
	public ScriptedStepRunner(int vocabSize, int contextLength, int kvBlocks, int kvBlockSize, int endOfGeneration,
			int endAtLength, long stepMillis) {
		this.vocabSize = vocabSize;
		this.contextLength = contextLength;
		this.kvBlocks = kvBlocks;
		this.kvBlockSize = kvBlockSize;
		this.endOfGeneration = endOfGeneration;
		this.endAtLength = endAtLength;
		this.stepMillis = stepMillis;
	}

	/** The token the script puts after {@code previous} at {@code position}. */
	public static int next(long seed, int position, int previous, int vocabSize) {
		long mixed = (seed * 6364136223846793005L) ^ (position * 1442695040888963407L) ^ (previous * 31L);
		return FIRST_TEXT_TOKEN + (int) Math.floorMod(mixed, (long) (vocabSize - FIRST_TEXT_TOKEN));
	}

	@Override
	public int vocabSize() {
		return this.vocabSize;
	}

	@Override
	public int contextLength() {
		return this.contextLength;
	}

	@Override
	public int kvBlocks() {
		return this.kvBlocks;
	}

	@Override
	public int kvBlockSize() {
		return this.kvBlockSize;
	}

	@Override
	public void step(List<StepSequence> batch, int[] sampled) {
		if (this.stepMillis > 0) {
			try {
				Thread.sleep(this.stepMillis);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		if (batch.stream().anyMatch(sequence -> sequence.sample() && sequence.sampling().seed() == DEVICE_FAULT_SEED)) {
			throw new IllegalStateException("simulated device fault");
		}
		for (int i = 0; i < batch.size(); i++) {
			StepSequence sequence = batch.get(i);
			if (!sequence.sample()) {
				continue;
			}
			int length = sequence.start() + sequence.count();
			sampled[i] = length >= this.endAtLength ? this.endOfGeneration
					: next(sequence.sampling().seed(), length, sequence.tokens()[length - 1], this.vocabSize);
		}
	}

	public boolean isClosed() {
		return this.closed.get();
	}

	@Override
	public void close() {
		this.closed.set(true);
	}

}
