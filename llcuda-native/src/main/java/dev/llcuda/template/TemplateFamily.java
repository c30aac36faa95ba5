package dev.llcuda.template;

import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Families of built-in fallback templates for models whose GGUF file has no chat
 * template.
 */
public enum TemplateFamily {

	/**
	 * Llama 2 / Mistral v0.1: {@code [INST] ... [/INST]} with a {@code <<SYS>>} block.
	 */
	LLAMA2,
	/**
	 * Llama 3: {@code <|start_header_id|>role<|end_header_id|>} and {@code <|eot_id|>}.
	 */
	LLAMA3,
	/** ChatML: {@code <|im_start|>role ... <|im_end|>} (Qwen and many fine-tunes). */
	CHATML,
	/**
	 * Gemma: {@code <start_of_turn>user|model ... <end_of_turn>}, the system message
	 * inside the first turn.
	 */
	GEMMA;

	private static final Set<String> LLAMA3_PRE_TOKENIZERS = Set.of("llama3", "llama-bpe", "llama-v3");

	/** The family named "llama2", "llama3", "chatml" or "gemma" (case-insensitive). */
	public static TemplateFamily named(String name) {
		for (TemplateFamily family : values()) {
			if (family.name().equalsIgnoreCase(name)) {
				return family;
			}
		}
		throw new IllegalArgumentException(
				"unknown chat template family '" + name + "' (llama2, llama3, chatml or gemma)");
	}

	/**
	 * Picks the family from a model's GGUF metadata: Llama 3 header tokens or
	 * pre-tokenizer, ChatML tokens, Gemma's turn tokens, the {@code llama} architecture
	 * (Llama 2 style), else ChatML as the most widely understood format.
	 * @param architecture {@code general.architecture}, may be null
	 * @param preTokenizer {@code tokenizer.ggml.pre}, may be null
	 * @param hasToken whether the vocabulary has a token with exactly this text
	 */
	public static TemplateFamily detect(@Nullable String architecture, @Nullable String preTokenizer,
			Predicate<String> hasToken) {
		if ((hasToken.test("<|start_header_id|>") && hasToken.test("<|eot_id|>"))
				|| (preTokenizer != null && LLAMA3_PRE_TOKENIZERS.contains(preTokenizer))) {
			return LLAMA3;
		}
		if (hasToken.test("<|im_start|>") && hasToken.test("<|im_end|>")) {
			return CHATML;
		}
		if (hasToken.test("<start_of_turn>") && hasToken.test("<end_of_turn>")) {
			return GEMMA;
		}
		if (architecture != null && architecture.toLowerCase(Locale.ROOT).equals("llama")) {
			return LLAMA2;
		}
		return CHATML;
	}

}
