package dev.llcuda.sample;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import dev.llcuda.engine.StepRunner;
import dev.llcuda.engine.StepSequence;
import dev.llcuda.engine.TokenLogprobs;
import dev.llcuda.tokenizer.Tokenizer;
import org.jspecify.annotations.Nullable;

/**
 * A real step runner whose sampled tokens are replaced by a script: the micro model's
 * random weights would never choose to call a tool, so each reply is picked by what the
 * rendered prompt holds (the first rule whose trigger is found in it) and spelled token
 * by token, then ended with EOS (SentencePiece spells a reply with a leading space, as
 * Llama 2 models write their first word). Everything else (template, tokenizer, engine,
 * native forward pass, parsing) is the real thing. A request that asks for
 * log-probabilities, or is constrained by a grammar (a response format, a forced tool
 * call), keeps the model's own tokens: its log-probabilities are the model's, and its
 * tokens are drawn under the grammar's mask.
 */
final class ScriptedReplies implements StepRunner {

	/**
	 * When {@code trigger} is found in the prompt, the model answers {@code reply}.
	 */
	record Rule(Pattern trigger, String reply) {

		/** When the prompt contains {@code text}, the model answers {@code reply}. */
		Rule(String text, String reply) {
			this(Pattern.compile(Pattern.quote(text)), reply);
		}

	}

	private final StepRunner model;

	private final Tokenizer tokenizer;

	private final List<Rule> rules;

	private final List<int[]> replies;

	private final int[] fallback;

	private final int longestReply;

	ScriptedReplies(StepRunner model, Tokenizer tokenizer, List<Rule> rules, String fallback) {
		this.model = model;
		this.tokenizer = tokenizer;
		this.rules = rules;
		this.replies = rules.stream().map(rule -> tokenizer.encode(rule.reply(), false, false)).toList();
		this.fallback = tokenizer.encode(fallback, false, false);
		this.longestReply = Math.max(this.fallback.length,
				this.replies.stream().mapToInt(reply -> reply.length).max().orElse(0));
	}

	@Override
	public void step(List<StepSequence> batch, int[] sampled) {
		this.model.step(batch, sampled);
		script(batch, sampled);
	}

	@Override
	public void step(List<StepSequence> batch, int[] sampled, @Nullable TokenLogprobs[] logprobs) {
		this.model.step(batch, sampled, logprobs);
		script(batch, sampled);
	}

	private void script(List<StepSequence> batch, int[] sampled) {
		for (int i = 0; i < batch.size(); i++) {
			StepSequence sequence = batch.get(i);
			if (sequence.sample() && !sequence.wantsLogprobs() && sequence.allowedTokens() == null) {
				sampled[i] = next(sequence.tokens(), sequence.start() + sequence.count());
			}
		}
	}

	/**
	 * The reply already begun at the end of {@code tokens[0, length)} (the longest such),
	 * continued.
	 */
	private int next(int[] tokens, int length) {
		for (int written = Math.min(length, this.longestReply); written >= 0; written--) {
			int[] prompt = Arrays.copyOf(tokens, length - written);
			int[] reply = replyTo(this.tokenizer.decode(prompt));
			if (written <= reply.length && Arrays.equals(tokens, length - written, length, reply, 0, written)) {
				return written < reply.length ? reply[written] : this.tokenizer.eos().getAsInt();
			}
		}
		throw new IllegalStateException("unreachable: an empty reply prefix always matches");
	}

	private int[] replyTo(String prompt) {
		for (int i = 0; i < this.rules.size(); i++) {
			if (this.rules.get(i).trigger().matcher(prompt).find()) {
				return this.replies.get(i);
			}
		}
		return this.fallback;
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
		return this.model.kvBlocks();
	}

	@Override
	public int kvBlockSize() {
		return this.model.kvBlockSize();
	}

	@Override
	public void close() {
		this.model.close();
	}

}
