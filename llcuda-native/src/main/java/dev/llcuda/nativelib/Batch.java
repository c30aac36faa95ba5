package dev.llcuda.nativelib;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One step's work, reused from step to step: sequences, each a run of tokens at
 * consecutive positions with its block table, whether to sample after its last token and
 * which logits rows to return. {@link #clear()} starts the next step without allocating;
 * Java arrays and native buffers grow only when a step is larger than every step before.
 */
public final class Batch {

	private final int maxBlocksPerSeq;

	private int tokenCount;

	private int[] tokens = new int[64];

	private int[] positions = new int[64];

	private int[] seqIds = new int[64];

	private byte[] logitsRows = new byte[64];

	private int logitRowCount;

	private int seqCount;

	private int[] seqFirst = new int[8];

	private int[] seqLength = new int[8];

	private int[] blockTables;

	private byte[] sample = new byte[8];

	/** Null for sequences that do not sample. */
	private @Nullable NativeSampling[] sampling = new NativeSampling[8];

	private int[] historyStart = new int[8];

	private int[] historyLength = new int[8];

	private int[] history = new int[64];

	private int historyCount;

	private int[][] allowedTokens = new int[8][];

	private int maskedCount;

	/**
	 * Sequence s's stacked LoRA adapters and their factors: stackCount[s] entries from s
	 * * MAX_ADAPTER_STACK.
	 */
	private @Nullable Adapter[] stackAdapters = new Adapter[8 * MAX_ADAPTER_STACK];

	private float[] stackScales = new float[8 * MAX_ADAPTER_STACK];

	private int[] stackCount = new int[8];

	private int adaptedCount;

	private int[] stackOffsets = new int[9];

	private int[] stackIndices = new int[8 * MAX_ADAPTER_STACK];

	private float[] stackFactors = new float[8 * MAX_ADAPTER_STACK];

	private int topLogprobs = NO_LOGPROBS;

	private byte[] logprobSeqs = new byte[8];

	private int logprobSeqCount;

	private final NativeBuffer tokensMemory = new NativeBuffer();

	private final NativeBuffer positionsMemory = new NativeBuffer();

	private final NativeBuffer seqIdsMemory = new NativeBuffer();

	private final NativeBuffer blockTablesMemory = new NativeBuffer();

	private final NativeBuffer sampleMemory = new NativeBuffer();

	private final SamplingBuffer samplingMemory = new SamplingBuffer();

	private final NativeBuffer historyOffsetsMemory = new NativeBuffer();

	private final NativeBuffer historyMemory = new NativeBuffer();

	private final NativeBuffer logitsRowsMemory = new NativeBuffer();

	private final NativeBuffer allowedTokensMemory = new NativeBuffer();

	private final NativeBuffer adaptersMemory = new NativeBuffer();

	private final NativeBuffer stackOffsetsMemory = new NativeBuffer();

	private final NativeBuffer stackMemory = new NativeBuffer();

	private final NativeBuffer stackScalesMemory = new NativeBuffer();

	private final NativeBuffer logprobSeqsMemory = new NativeBuffer();

	private final LlcudaLibrary.BatchStruct struct = new LlcudaLibrary.BatchStruct();

	private int[] historyOffsets = new int[9];

	/** A batch whose sequences each have at most {@code maxBlocksPerSeq} KV blocks. */
	public Batch(int maxBlocksPerSeq) {
		if (maxBlocksPerSeq <= 0) {
			throw new IllegalArgumentException("maxBlocksPerSeq must be positive: " + maxBlocksPerSeq);
		}
		this.maxBlocksPerSeq = maxBlocksPerSeq;
		this.blockTables = new int[8 * maxBlocksPerSeq];
		struct.setAutoRead(false);
		struct.setAutoWrite(false);
	}

	public void clear() {
		tokenCount = 0;
		seqCount = 0;
		logitRowCount = 0;
		historyCount = 0;
		maskedCount = 0;
		adaptedCount = 0;
		topLogprobs = NO_LOGPROBS;
		logprobSeqCount = 0;
	}

	/** {@link #topLogprobs()} of a batch that asks for no log-probabilities. */
	public static final int NO_LOGPROBS = -1;

	/**
	 * Most alternatives one step returns per sequence ({@code LLCUDA_MAX_TOP_LOGPROBS}).
	 */
	public static final int MAX_TOP_LOGPROBS = 20;

	/** Most LoRA adapters stacked on one sequence ({@code LLCUDA_MAX_ADAPTER_STACK}). */
	public static final int MAX_ADAPTER_STACK = 4;

	/**
	 * Asks the step for the model's log-probabilities of every sampled token (its raw
	 * softmax) and the {@code top} (0 to {@link #MAX_TOP_LOGPROBS}) most probable tokens
	 * of each sampled sequence.
	 */
	public void logprobs(int top) {
		if (top < 0 || top > MAX_TOP_LOGPROBS) {
			throw new IllegalArgumentException(
					"top log-probabilities " + top + " must be in [0, " + MAX_TOP_LOGPROBS + "]");
		}
		topLogprobs = top;
	}

	/**
	 * Limits {@link #logprobs(int)} to the sequences marked by this call (unmarked ones
	 * report them as a sequence not sampled, and the step does not compute them); without
	 * any mark, every sampled sequence gets them.
	 */
	public void logprobsOf(int seq) {
		requireSequence(seq);
		if (logprobSeqs[seq] == 0) {
			logprobSeqs[seq] = 1;
			logprobSeqCount++;
		}
	}

	/** The alternatives asked for per sampled sequence, or {@link #NO_LOGPROBS}. */
	public int topLogprobs() {
		return topLogprobs;
	}

	/**
	 * Adds a sequence: {@code count} tokens of {@code source} from {@code from}, at
	 * positions {@code startPosition, startPosition + 1, ...}, whose KV lives in the
	 * first {@code blockCount} blocks of {@code blockTable}. Positions before
	 * {@code startPosition} must already be cached.
	 * @return the sequence's index in this batch
	 */
	public int addSequence(int[] source, int from, int count, int startPosition, int[] blockTable, int blockCount) {
		if (count <= 0 || from < 0 || from + count > source.length) {
			throw new IllegalArgumentException("tokens [" + from + ", " + (from + count)
					+ ") are not a non-empty range of " + source.length + " tokens");
		}
		if (blockCount < 0 || blockCount > maxBlocksPerSeq || blockCount > blockTable.length) {
			throw new IllegalArgumentException("block count " + blockCount + " exceeds the table (" + blockTable.length
					+ " entries) or this batch's limit of " + maxBlocksPerSeq + " blocks per sequence");
		}
		int seq = seqCount++;
		growSequences(seqCount);
		growTokens(tokenCount + count);
		System.arraycopy(source, from, tokens, tokenCount, count);
		for (int i = 0; i < count; i++) {
			positions[tokenCount + i] = startPosition + i;
			seqIds[tokenCount + i] = seq;
			logitsRows[tokenCount + i] = 0;
		}
		seqFirst[seq] = tokenCount;
		seqLength[seq] = count;
		tokenCount += count;
		int table = seq * maxBlocksPerSeq;
		System.arraycopy(blockTable, 0, blockTables, table, blockCount);
		Arrays.fill(blockTables, table + blockCount, table + maxBlocksPerSeq, -1);
		sample[seq] = 0;
		sampling[seq] = null;
		historyLength[seq] = 0;
		allowedTokens[seq] = null;
		stackCount[seq] = 0;
		logprobSeqs[seq] = 0;
		return seq;
	}

	/**
	 * Samples a token after the last token of sequence {@code seq} (no penalty history).
	 */
	public void sample(int seq, NativeSampling params) {
		sample(seq, params, history, 0);
	}

	/**
	 * Samples with penalties over the first {@code length} tokens of
	 * {@code tokenHistory}.
	 */
	public void sample(int seq, NativeSampling params, int[] tokenHistory, int length) {
		requireSequence(seq);
		sample[seq] = 1;
		sampling[seq] = params;
		if (historyCount + length > history.length) {
			history = Arrays.copyOf(history, Math.max(historyCount + length, history.length * 2));
		}
		System.arraycopy(tokenHistory, 0, history, historyCount, length);
		historyStart[seq] = historyCount;
		historyLength[seq] = length;
		historyCount += length;
	}

	/**
	 * Constrains sequence {@code seq}'s draw to the tokens whose bit is set in
	 * {@code mask} (bit t of word t / 32 is token t; (n_vocab + 31) / 32 words). The
	 * array is read when the step runs.
	 */
	public void allowTokens(int seq, int[] mask) {
		requireSequence(seq);
		if (allowedTokens[seq] == null) {
			maskedCount++;
		}
		allowedTokens[seq] = mask;
	}

	/**
	 * Runs sequence {@code seq} with the LoRA {@code adapter} (loaded on the model the
	 * step runs), as loaded.
	 */
	public void adapter(int seq, Adapter adapter) {
		adapter(seq, adapter, 1f);
	}

	/**
	 * Stacks the LoRA {@code adapter} (loaded on the model the step runs) on sequence
	 * {@code seq}, its scale times {@code factor}; at most {@link #MAX_ADAPTER_STACK} per
	 * sequence (the step refuses one listed twice).
	 */
	public void adapter(int seq, Adapter adapter, float factor) {
		requireSequence(seq);
		if (stackCount[seq] == MAX_ADAPTER_STACK) {
			throw new IllegalArgumentException("sequence " + seq + " already runs with " + MAX_ADAPTER_STACK
					+ " adapters, the most one sequence may stack");
		}
		if (stackCount[seq] == 0) {
			adaptedCount++;
		}
		int slot = seq * MAX_ADAPTER_STACK + stackCount[seq]++;
		stackAdapters[slot] = adapter;
		stackScales[slot] = factor;
	}

	/**
	 * Returns the logits of every token of sequence {@code seq}, or only of its last one.
	 */
	public void logits(int seq, boolean everyPosition) {
		requireSequence(seq);
		int end = seqFirst[seq] + seqLength[seq];
		int begin = everyPosition ? seqFirst[seq] : end - 1;
		for (int i = begin; i < end; i++) {
			if (logitsRows[i] == 0) {
				logitsRows[i] = 1;
				logitRowCount++;
			}
		}
	}

	public int tokenCount() {
		return tokenCount;
	}

	public int sequenceCount() {
		return seqCount;
	}

	/** Rows of logits the step returns, in batch order. */
	public int logitRowCount() {
		return logitRowCount;
	}

	/**
	 * Writes the batch into native memory; the struct stays valid until the next call.
	 */
	LlcudaLibrary.BatchStruct marshal() {
		struct.n_tokens = tokenCount;
		struct.tokens = tokensMemory.write(tokens, tokenCount);
		struct.positions = positionsMemory.write(positions, tokenCount);
		struct.seq_ids = seqIdsMemory.write(seqIds, tokenCount);
		struct.n_seqs = seqCount;
		struct.max_blocks_per_seq = maxBlocksPerSeq;
		struct.block_tables = blockTablesMemory.write(blockTables, seqCount * maxBlocksPerSeq);
		struct.sample = sampleMemory.write(sample, seqCount);
		struct.sampling = samplingMemory.write(sampling, seqCount);
		marshalHistory();
		struct.logits_rows = logitRowCount == 0 ? null : logitsRowsMemory.write(logitsRows, tokenCount);
		marshalAllowedTokens();
		marshalAdapters();
		struct.n_top_logprobs = Math.max(0, topLogprobs);
		struct.logprob_seqs = logprobSeqCount == 0 ? null : logprobSeqsMemory.write(logprobSeqs, seqCount);
		struct.write();
		return struct;
	}

	private void marshalHistory() {
		if (historyOffsets.length < seqCount + 1) {
			historyOffsets = new int[Math.max(seqCount + 1, historyOffsets.length * 2)];
		}
		Pointer memory = historyMemory.reserve((long) historyCount * Integer.BYTES);
		int offset = 0;
		for (int seq = 0; seq < seqCount; seq++) {
			historyOffsets[seq] = offset;
			memory.write((long) offset * Integer.BYTES, history, historyStart[seq], historyLength[seq]);
			offset += historyLength[seq];
		}
		historyOffsets[seqCount] = offset;
		struct.history_offsets = historyOffsetsMemory.write(historyOffsets, seqCount + 1);
		struct.history = memory;
	}

	/**
	 * Every sequence's mask one after another, all ones for unconstrained ones; none when
	 * no sequence has one.
	 */
	private void marshalAllowedTokens() {
		struct.allowed_words = 0;
		struct.allowed_tokens = null;
		if (maskedCount == 0) {
			return;
		}
		int words = -1;
		for (int seq = 0; seq < seqCount; seq++) {
			if (allowedTokens[seq] != null) {
				if (words >= 0 && allowedTokens[seq].length != words) {
					throw new IllegalArgumentException("allowed-token masks of one batch differ in length: " + words
							+ " and " + allowedTokens[seq].length + " words");
				}
				words = allowedTokens[seq].length;
			}
		}
		Pointer memory = allowedTokensMemory.reserve((long) seqCount * words * Integer.BYTES);
		for (int seq = 0; seq < seqCount; seq++) {
			long offset = (long) seq * words * Integer.BYTES;
			if (allowedTokens[seq] != null) {
				memory.write(offset, allowedTokens[seq], 0, words);
			}
			else {
				memory.setMemory(offset, (long) words * Integer.BYTES, (byte) 0xFF);
			}
		}
		struct.allowed_words = words;
		struct.allowed_tokens = memory;
	}

	/**
	 * The distinct adapters of the batch and, in the stacked form, each sequence's
	 * indices among them with their factors; none when no sequence has an adapter.
	 */
	private void marshalAdapters() {
		struct.n_adapters = 0;
		struct.adapters = null;
		struct.seq_adapters = null;
		struct.adapter_stack_offsets = null;
		struct.adapter_stack = null;
		struct.adapter_stack_scales = null;
		if (adaptedCount == 0) {
			return;
		}
		List<Adapter> distinct = new ArrayList<>();
		int total = 0;
		for (int seq = 0; seq < seqCount; seq++) {
			for (int k = 0; k < stackCount[seq]; k++) {
				Adapter adapter = Objects.requireNonNull(stackAdapters[seq * MAX_ADAPTER_STACK + k]);
				int index = distinct.indexOf(adapter);
				if (index < 0) {
					index = distinct.size();
					distinct.add(adapter);
				}
				stackIndices[total] = index;
				stackFactors[total++] = stackScales[seq * MAX_ADAPTER_STACK + k];
			}
			stackOffsets[seq + 1] = total;
		}
		Pointer handles = adaptersMemory.reserve((long) distinct.size() * Native.POINTER_SIZE);
		for (int i = 0; i < distinct.size(); i++) {
			handles.setPointer((long) i * Native.POINTER_SIZE, distinct.get(i).pointer());
		}
		struct.n_adapters = distinct.size();
		struct.adapters = handles;
		struct.adapter_stack_offsets = stackOffsetsMemory.write(stackOffsets, seqCount + 1);
		struct.adapter_stack = stackMemory.write(stackIndices, total);
		struct.adapter_stack_scales = stackScalesMemory.write(stackFactors, total);
	}

	private void requireSequence(int seq) {
		if (seq < 0 || seq >= seqCount) {
			throw new IndexOutOfBoundsException("sequence " + seq + " of " + seqCount + " in this batch");
		}
	}

	private void growTokens(int needed) {
		if (needed > tokens.length) {
			int size = Math.max(needed, tokens.length * 2);
			tokens = Arrays.copyOf(tokens, size);
			positions = Arrays.copyOf(positions, size);
			seqIds = Arrays.copyOf(seqIds, size);
			logitsRows = Arrays.copyOf(logitsRows, size);
		}
	}

	private void growSequences(int needed) {
		if (needed > sample.length) {
			int size = Math.max(needed, sample.length * 2);
			sample = Arrays.copyOf(sample, size);
			sampling = Arrays.copyOf(sampling, size);
			historyStart = Arrays.copyOf(historyStart, size);
			historyLength = Arrays.copyOf(historyLength, size);
			allowedTokens = Arrays.copyOf(allowedTokens, size);
			stackAdapters = Arrays.copyOf(stackAdapters, size * MAX_ADAPTER_STACK);
			stackScales = Arrays.copyOf(stackScales, size * MAX_ADAPTER_STACK);
			stackCount = Arrays.copyOf(stackCount, size);
			stackOffsets = Arrays.copyOf(stackOffsets, size + 1);
			stackIndices = Arrays.copyOf(stackIndices, size * MAX_ADAPTER_STACK);
			stackFactors = Arrays.copyOf(stackFactors, size * MAX_ADAPTER_STACK);
			logprobSeqs = Arrays.copyOf(logprobSeqs, size);
			seqFirst = Arrays.copyOf(seqFirst, size);
			seqLength = Arrays.copyOf(seqLength, size);
			blockTables = Arrays.copyOf(blockTables, size * maxBlocksPerSeq);
		}
	}

}
