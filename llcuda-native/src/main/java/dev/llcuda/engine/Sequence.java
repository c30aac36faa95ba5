package dev.llcuda.engine;

import dev.llcuda.grammar.GrammarMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The engine's state of one request: all its tokens (prompt, then generated), how many of
 * them have their KV computed, and its block hashes. Owned by the engine thread.
 */
final class Sequence {

	enum Status {

		WAITING, RUNNING, FINISHED

	}

	final long id;

	final int promptLength;

	/**
	 * Prompt plus generated tokens never exceed this (max tokens, context, KV capacity).
	 */
	final int maxTotalTokens;

	final SamplingParams sampling;

	final TokenConsumer consumer;

	/** When set, the engine cancels the sequence at the first step after this instant. */
	final @Nullable Instant deadline;

	/** The LoRA adapters the sequence runs with, stacked; empty: the base model alone. */
	final List<AdapterUse> adapters;

	/**
	 * Constrained decoding: follows the generated tokens through the request's grammar;
	 * null: none.
	 */
	@Nullable GrammarMatcher grammar;

	/**
	 * Alternatives per generated token's log-probabilities, or
	 * {@link GenerationRequest#NO_LOGPROBS}.
	 */
	int topLogprobs = GenerationRequest.NO_LOGPROBS;

	/** Admitted to the batch at least once (no longer counts as queued). */
	boolean started;

	private int[] tokens;

	private int length;

	int numComputed;

	Status status = Status.WAITING;

	int preemptions;

	/** Hashes of the full blocks of {@link #tokens}, computed lazily in order. */
	private final List<BlockHash> blockHashes = new ArrayList<>();

	/** Leading blocks of this sequence already registered in the prefix cache. */
	int numCachedBlocks;

	/**
	 * Leading blocks returned to the pool because no window of this sequence reaches them
	 * any more.
	 */
	int numReleasedBlocks;

	Sequence(long id, int[] prompt, int maxNewTokens, int contextLimit, SamplingParams sampling,
			TokenConsumer consumer) {
		this(id, prompt, maxNewTokens, contextLimit, sampling, consumer, null);
	}

	Sequence(long id, int[] prompt, int maxNewTokens, int contextLimit, SamplingParams sampling, TokenConsumer consumer,
			@Nullable Instant deadline) {
		this(id, prompt, maxNewTokens, contextLimit, sampling, consumer, deadline, List.of());
	}

	Sequence(long id, int[] prompt, int maxNewTokens, int contextLimit, SamplingParams sampling, TokenConsumer consumer,
			@Nullable Instant deadline, List<AdapterUse> adapters) {
		if (prompt.length == 0) {
			throw new IllegalArgumentException("prompt of request " + id + " is empty");
		}
		this.id = id;
		this.promptLength = prompt.length;
		this.maxTotalTokens = (int) Math.min((long) prompt.length + maxNewTokens, contextLimit);
		this.sampling = sampling;
		this.consumer = consumer;
		this.deadline = deadline;
		this.adapters = List.copyOf(adapters);
		this.tokens = Arrays.copyOf(prompt, Math.max(prompt.length + 1, Math.min(maxTotalTokens, prompt.length + 64)));
		this.length = prompt.length;
	}

	int numTokens() {
		return length;
	}

	int numGenerated() {
		return length - promptLength;
	}

	int token(int index) {
		return tokens[index];
	}

	/** Tokens still to compute before the next sample. */
	int numUncomputed() {
		return length - numComputed;
	}

	int[] tokensView() {
		return tokens;
	}

	void append(int token) {
		if (length == tokens.length) {
			tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, 16));
		}
		tokens[length++] = token;
	}

	/** Hash of full block {@code index}; the block's tokens must all be known. */
	BlockHash blockHash(int index, int blockSize) {
		while (blockHashes.size() <= index) {
			int i = blockHashes.size();
			if ((i + 1) * blockSize > length) {
				throw new IllegalStateException("block " + i + " of request " + id + " is not full");
			}
			BlockHash parent = i == 0 ? BlockHash.root(adapters) : blockHashes.get(i - 1);
			blockHashes.add(BlockHash.of(parent, tokens, i * blockSize, (i + 1) * blockSize));
		}
		return blockHashes.get(index);
	}

	@Override
	public String toString() {
		return "Sequence[" + id + ", tokens=" + length + ", computed=" + numComputed + ", " + status + "]";
	}

}
