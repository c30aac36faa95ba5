package dev.llcuda.sample;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/** The bodies of {@code POST /api/rag}. */
final class RagApi {

	private RagApi() {
	}

	/** A question, with an optional cap on the answer's tokens. */
	record Request(@Nullable String question, @JsonProperty("max_tokens") @Nullable Integer maxTokens) {
	}

	/** A chunk the answer was given, with its file and its similarity to the question. */
	record Source(String source, String text, double score) {
	}

	/** The model's answer and the chunks its prompt held, nearest first. */
	record Response(String answer, List<Source> documents) {
	}

}
