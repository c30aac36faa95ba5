package dev.llcuda.chat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.llcuda.engine.TokenLogprobs;
import dev.llcuda.tokenizer.Tokenizer;

/**
 * Log-probabilities of generated tokens in the shape of OpenAI's
 * {@code logprobs.content}: under the model's own distribution (the softmax of its raw
 * logits, before any constraint mask, penalty, temperature or filter), the value the
 * generation metadata carries under {@value LlcudaChatModel#LOGPROBS_METADATA}.
 *
 * @param content one entry per generated token, in order
 */
public record LlcudaLogprobs(List<Token> content) {

	/**
	 * One token: its text (its bytes read as UTF-8; a token holding part of a character
	 * shows U+FFFD, {@code bytes} is exact), its log-probability and the most probable
	 * alternatives.
	 */
	public record Token(String token, float logprob, List<Integer> bytes, List<Alternative> topLogprobs) {
	}

	public record Alternative(String token, float logprob, List<Integer> bytes) {
	}

	public LlcudaLogprobs {
		content = List.copyOf(content);
	}

	static LlcudaLogprobs of(List<TokenLogprobs> tokens, Tokenizer tokenizer) {
		List<Token> content = new ArrayList<>(tokens.size());
		for (TokenLogprobs token : tokens) {
			int[] ids = token.topTokens();
			float[] logprobs = token.topLogprobs();
			List<Alternative> top = new ArrayList<>(ids.length);
			for (int i = 0; i < ids.length && ids[i] >= 0; i++) {
				byte[] bytes = tokenizer.tokenBytes(ids[i]);
				top.add(new Alternative(new String(bytes, StandardCharsets.UTF_8), logprobs[i], list(bytes)));
			}
			byte[] bytes = tokenizer.tokenBytes(token.token());
			content.add(new Token(new String(bytes, StandardCharsets.UTF_8), token.logprob(), list(bytes), top));
		}
		return new LlcudaLogprobs(content);
	}

	private static List<Integer> list(byte[] bytes) {
		List<Integer> list = new ArrayList<>(bytes.length);
		for (byte b : bytes) {
			list.add(b & 0xFF);
		}
		return List.copyOf(list);
	}
}
