package dev.llcuda.sample;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/** OpenAI's embeddings wire format as the service speaks it (snake_case on the wire). */
final class EmbeddingsApi {

	private EmbeddingsApi() {
	}

	/**
	 * @param input one text or an array of texts (token arrays are refused)
	 * @param encodingFormat {@code float} (default) or {@code base64} (little-endian
	 * float32 bytes)
	 * @param dimensions refused: the served models give vectors of their own size only
	 * @param user the caller's end-user id; accepted, not used
	 */
	record Request(@Nullable String model, @Nullable Object input,
			@JsonProperty("encoding_format") @Nullable String encodingFormat, @Nullable Integer dimensions,
			@Nullable String user) {
	}

	/**
	 * {@code embedding} is a float array, or a base64 string with
	 * {@code encoding_format: base64}.
	 */
	record Item(String object, int index, Object embedding) {
	}

	record Usage(@JsonProperty("prompt_tokens") int promptTokens, @JsonProperty("total_tokens") int totalTokens) {
	}

	record Response(String object, List<Item> data, String model, Usage usage) {
	}

}
