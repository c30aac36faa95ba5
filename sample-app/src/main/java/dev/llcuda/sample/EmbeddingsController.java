package dev.llcuda.sample;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.llcuda.embedding.LlcudaEmbeddingModel;
import dev.llcuda.runtime.ModelKind;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.NoModelLoadedException;

/**
 * OpenAI-compatible {@code POST /v1/embeddings} on llcuda's embedding models
 * ({@code llcuda.embedding.path}, {@code llcuda.models}): {@code model} picks one by name
 * (none: the default one; unknown: 404; a chat model: 400), every text of the request in
 * one call, float or base64 vectors, usage in input tokens. {@code dimensions} is refused
 * (the model gives vectors of one size).
 */
@RestController
@RequestMapping("/v1")
public class EmbeddingsController {

	private final ObjectProvider<LlcudaEmbeddingModel> embeddingModel;

	private final ModelSet models;

	public EmbeddingsController(ObjectProvider<LlcudaEmbeddingModel> embeddingModel, ModelSet models) {
		this.embeddingModel = embeddingModel;
		this.models = models;
	}

	@PostMapping("/embeddings")
	public EmbeddingsApi.Response embed(@RequestBody EmbeddingsApi.Request request) {
		LlcudaEmbeddingModel model = this.embeddingModel.getIfAvailable();
		if (model == null) {
			throw new NoModelLoadedException(
					"No embedding model is configured. To serve one, set llcuda.embedding.path "
							+ "to a bert GGUF file (BGE, MiniLM, E5).");
		}
		checkModel(request.model());
		boolean base64 = encoding(request.encodingFormat());
		if (request.dimensions() != null) {
			throw new IllegalArgumentException("dimensions is not supported: the embedding model gives vectors of "
					+ model.dimensions() + " dimensions only (leave dimensions out)");
		}
		EmbeddingOptions.Builder options = EmbeddingOptions.builder();
		if (request.model() != null) {
			options.model(request.model());
		}
		EmbeddingResponse response = model.call(new EmbeddingRequest(texts(request.input()), options.build()));
		List<EmbeddingsApi.Item> items = new ArrayList<>();
		response.getResults()
			.forEach(result -> items.add(new EmbeddingsApi.Item("embedding", result.getIndex(),
					base64 ? base64(result.getOutput()) : result.getOutput())));
		int tokens = response.getMetadata().getUsage().getPromptTokens();
		return new EmbeddingsApi.Response("list", items, response.getMetadata().getModel(),
				new EmbeddingsApi.Usage(tokens, tokens));
	}

	/**
	 * A named model must be an embedding model of the set: 404 for one unknown here, 400
	 * for a chat model.
	 */
	private void checkModel(@Nullable String model) {
		if (model == null || model.isBlank()) {
			return;
		}
		ModelKind kind = this.models.kindOf(model)
			.orElseThrow(() -> new ModelNotFoundException(model, this.models.names()));
		if (kind == ModelKind.CHAT) {
			throw new IllegalArgumentException(
					"model '" + model + "' is a chat model: it has no embeddings; " + "name an embedding model");
		}
	}

	private static boolean encoding(@Nullable String format) {
		if (format == null || format.equals("float")) {
			return false;
		}
		if (format.equals("base64")) {
			return true;
		}
		throw new IllegalArgumentException("encoding_format '" + format + "' is not supported (float, base64)");
	}

	/** One text or an array of texts; token-id arrays and empty input are refused. */
	private static List<String> texts(@Nullable Object input) {
		if (input instanceof String text) {
			return List.of(text);
		}
		if (input instanceof List<?> list && !list.isEmpty()) {
			List<String> texts = new ArrayList<>(list.size());
			for (Object item : list) {
				if (!(item instanceof String text)) {
					throw new IllegalArgumentException(
							"input must be a string or an array of strings; token arrays " + "are not supported");
				}
				texts.add(text);
			}
			return texts;
		}
		throw new IllegalArgumentException("input must be a string or a non-empty array of strings");
	}

	private static String base64(float[] vector) {
		ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		bytes.asFloatBuffer().put(vector);
		return Base64.getEncoder().encodeToString(bytes.array());
	}

}
