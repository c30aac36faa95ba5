package dev.llcuda.engine;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test model that really uses its paged KV cache: a step writes every token (and its
 * position) into the slot the block table names, and draws the next token as a hash of
 * the sequence's whole history read back through the block table. A wrong table, a block
 * freed too early or a prefix reused with other content changes the output or fails the
 * step, so the engine's bookkeeping is checked without a native library.
 */
final class SimulatedModel implements StepRunner {

	static final int VOCAB = 512;

	private final int blocks;

	private final int blockSize;

	private final int context;

	private final int[] slotToken;

	private final int[] slotPosition;

	final AtomicInteger steps = new AtomicInteger();

	volatile boolean closed;

	/** When >= 0, the step with this number throws (failure handling tests). */
	volatile int failAtStep = -1;

	/**
	 * A batch holding a sequence with this seed is refused before anything is computed
	 * (-1: none).
	 */
	volatile long refusedSeed = -1;

	/**
	 * A sequence with this seed gets no finite logit: its sample is
	 * {@link StepRunner#NO_FINITE_LOGIT} (-1: none).
	 */
	volatile long nonFiniteSeed = -1;

	/** Every step takes at least this long (tests that need generation to be slow). */
	volatile long stepPauseNanos;

	/** When set, every step waits for it to open (tests that need the engine busy). */
	volatile java.util.concurrent.CountDownLatch gate;

	SimulatedModel(int blocks, int blockSize, int context) {
		this.blocks = blocks;
		this.blockSize = blockSize;
		this.context = context;
		this.slotToken = new int[blocks * blockSize];
		this.slotPosition = new int[blocks * blockSize];
		Arrays.fill(slotPosition, -1);
	}

	/** The token the model draws after {@code history}, computed without any cache. */
	static int nextToken(int[] history, int length) {
		long h = 0xcbf29ce484222325L;
		for (int i = 0; i < length; i++) {
			h = (h ^ history[i]) * 0x100000001b3L;
		}
		h ^= h >>> 29;
		return (int) Long.remainderUnsigned(h, VOCAB);
	}

	@Override
	public int vocabSize() {
		return VOCAB;
	}

	@Override
	public int contextLength() {
		return context;
	}

	@Override
	public int kvBlocks() {
		return blocks;
	}

	@Override
	public int kvBlockSize() {
		return blockSize;
	}

	@Override
	public void step(List<StepSequence> batch, int[] sampled) {
		if (closed) {
			throw new IllegalStateException("step on a closed model");
		}
		java.util.concurrent.CountDownLatch g = gate;
		if (g != null) {
			try {
				g.await();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while held", e);
			}
		}
		if (stepPauseNanos > 0) {
			java.util.concurrent.locks.LockSupport.parkNanos(stepPauseNanos);
		}
		if (steps.getAndIncrement() == failAtStep) {
			throw new IllegalStateException("simulated device failure");
		}
		for (StepSequence seq : batch) {
			if (seq.sampling().seed() == refusedSeed) {
				throw new StepRejectedException("a sequence with seed " + refusedSeed + " is refused (simulated)");
			}
		}
		for (StepSequence seq : batch) {
			for (int p = seq.start(); p < seq.start() + seq.count(); p++) {
				int slot = slot(seq.blockTable(), p);
				slotToken[slot] = seq.tokens()[p];
				slotPosition[slot] = p;
			}
		}
		for (int i = 0; i < batch.size(); i++) {
			StepSequence seq = batch.get(i);
			if (!seq.sample()) {
				continue;
			}
			int length = seq.start() + seq.count();
			int[] history = new int[length];
			for (int p = 0; p < length; p++) {
				int slot = slot(seq.blockTable(), p);
				if (slotPosition[slot] != p) {
					throw new IllegalStateException(
							"position " + p + " reads slot " + slot + " holding position " + slotPosition[slot]);
				}
				history[p] = slotToken[slot];
			}
			sampled[i] = seq.sampling().seed() == nonFiniteSeed ? NO_FINITE_LOGIT : nextToken(history, length);
		}
	}

	private int slot(int[] table, int position) {
		int index = position / blockSize;
		if (index >= table.length) {
			throw new IllegalStateException(
					"position " + position + " lies beyond the block table of " + table.length + " blocks");
		}
		int block = table[index];
		if (block < 0 || block >= blocks) {
			throw new IllegalStateException("block " + block + " outside the cache of " + blocks);
		}
		return block * blockSize + position % blockSize;
	}

	@Override
	public void close() {
		closed = true;
	}

}
