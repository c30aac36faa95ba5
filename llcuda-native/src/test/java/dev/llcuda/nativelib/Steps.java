package dev.llcuda.nativelib;

import dev.llcuda.engine.KvType;

/** Runs of whole sequences through a model, for the tests. */
final class Steps {

	static final int BLOCK_SIZE = 16;

	private Steps() {
	}

	static int blocksFor(int positions) {
		return (positions + BLOCK_SIZE - 1) / BLOCK_SIZE;
	}

	static int[] contiguousTable(int blocks) {
		int[] table = new int[blocks];
		for (int i = 0; i < blocks; i++) {
			table[i] = i;
		}
		return table;
	}

	/**
	 * The logits of every position of {@code tokens}, fed in steps of {@code chunk}
	 * tokens into a fresh cache.
	 */
	static float[][] logits(Model model, int[] tokens, int chunk) {
		int blocks = blocksFor(tokens.length);
		try (KvCache cache = model.createKvCache(blocks, BLOCK_SIZE, KvType.F16.abiValue())) {
			return logits(model, cache, tokens, chunk, contiguousTable(blocks));
		}
	}

	/**
	 * The logits of every position of {@code tokens}, fed in steps of {@code chunk}
	 * tokens through {@code table}.
	 */
	static float[][] logits(Model model, KvCache cache, int[] tokens, int chunk, int[] table) {
		float[][] rows = new float[tokens.length][];
		Batch batch = new Batch(table.length);
		StepOutput output = new StepOutput();
		for (int from = 0; from < tokens.length; from += chunk) {
			int count = Math.min(chunk, tokens.length - from);
			batch.clear();
			batch.addSequence(tokens, from, count, from, table, table.length);
			batch.logits(0, true);
			model.step(cache, batch, output);
			for (int i = 0; i < count; i++) {
				rows[from + i] = output.logitsRow(i);
			}
		}
		return rows;
	}

}
