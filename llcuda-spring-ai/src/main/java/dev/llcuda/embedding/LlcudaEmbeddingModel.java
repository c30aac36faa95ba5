package dev.llcuda.embedding;

import dev.llcuda.chat.AiExceptions;
import dev.llcuda.engine.EmbeddingEngine;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;
import org.springframework.ai.embedding.observation.DefaultEmbeddingModelObservationConvention;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationContext;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationConvention;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationDocumentation;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;

/**
 * Spring AI's {@link EmbeddingModel} on llcuda's embedding models: the options' model
 * picks one of the {@link LlcudaEmbeddingProvider}'s by name (none: the default one); all
 * texts of a request go to its engine at once (it packs them into native calls within its
 * token budget), each comes back as one L2-normalised vector; usage counts the input
 * tokens. Requests naming a model that is not an embedding model, or asking for other
 * dimensions (llcuda does not truncate vectors), are refused.
 */
public final class LlcudaEmbeddingModel implements EmbeddingModel {

	/** The provider name in observations ({@code gen_ai.system}). */
	public static final String PROVIDER = "llcuda";

	private static final EmbeddingModelObservationConvention DEFAULT_CONVENTION = new DefaultEmbeddingModelObservationConvention();

	private final LlcudaEmbeddingProvider provider;

	private final ObservationRegistry observationRegistry;

	private @Nullable EmbeddingModelObservationConvention observationConvention;

	public LlcudaEmbeddingModel(LlcudaEmbeddingProvider provider, ObservationRegistry observationRegistry) {
		this.provider = provider;
		this.observationRegistry = observationRegistry;
	}

	/** A builder; only the {@link Builder#provider provider} is required. */
	public static Builder builder() {
		return new Builder();
	}

	public void setObservationConvention(EmbeddingModelObservationConvention observationConvention) {
		this.observationConvention = observationConvention;
	}

	/** The vector length of the default embedding model. */
	@Override
	public int dimensions() {
		return this.provider.serving().dimensions();
	}

	/**
	 * @throws NonTransientAiException when the options name a model that is not an
	 * embedding model or other dimensions, or a text is over the model's context (and
	 * truncation is off); the cause is the IllegalArgumentException saying so
	 * @throws TransientAiException when the engine is full or no model is serving yet
	 */
	@Override
	public EmbeddingResponse call(EmbeddingRequest request) {
		try {
			return embed(request);
		}
		catch (RuntimeException e) {
			throw AiExceptions.translate(e);
		}
	}

	private EmbeddingResponse embed(EmbeddingRequest request) {
		EmbeddingOptions options = request.getOptions();
		ServedEmbeddingModel model = this.provider.serving(options != null ? options.getModel() : null);
		EmbeddingRequest effective = new EmbeddingRequest(request.getInstructions(),
				effectiveOptions(options, model.name(), model.engine().dimensions()));
		EmbeddingModelObservationContext context = EmbeddingModelObservationContext.builder()
			.embeddingRequest(effective)
			.provider(PROVIDER)
			.build();
		return EmbeddingModelObservationDocumentation.EMBEDDING_MODEL_OPERATION
			.observation(this.observationConvention, DEFAULT_CONVENTION, () -> context, this.observationRegistry)
			.observe(() -> {
				EmbeddingEngine.Result result = model.engine().embed(effective.getInstructions());
				List<Embedding> embeddings = new ArrayList<>(result.vectors().size());
				for (int i = 0; i < result.vectors().size(); i++) {
					embeddings.add(new Embedding(result.vectors().get(i), i));
				}
				EmbeddingResponse response = new EmbeddingResponse(embeddings, new EmbeddingResponseMetadata(
						model.name(), new DefaultUsage(result.tokens(), 0, result.tokens())));
				context.setResponse(response);
				return response;
			});
	}

	@Override
	public float[] embed(Document document) {
		return embed(getEmbeddingContent(document));
	}

	/**
	 * The request's options checked against the model it picked, with the model's name
	 * and dimensions filled in.
	 */
	private static EmbeddingOptions effectiveOptions(@Nullable EmbeddingOptions options, String model, int dimensions) {
		if (options != null && options.getDimensions() != null && options.getDimensions() != dimensions) {
			throw new IllegalArgumentException("dimensions " + options.getDimensions() + " are not supported: '" + model
					+ "' gives vectors of " + dimensions + " (llcuda does not truncate embeddings)");
		}
		return EmbeddingOptions.builder().model(model).dimensions(dimensions).build();
	}

	/**
	 * Builds a {@link LlcudaEmbeddingModel} without a Spring context; unset: no
	 * observations.
	 */
	public static final class Builder {

		private @Nullable LlcudaEmbeddingProvider provider;

		private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

		private @Nullable EmbeddingModelObservationConvention observationConvention;

		private Builder() {
		}

		/** Where requests find the embedding model serving them. */
		public Builder provider(LlcudaEmbeddingProvider provider) {
			this.provider = provider;
			return this;
		}

		public Builder observationRegistry(ObservationRegistry observationRegistry) {
			this.observationRegistry = observationRegistry;
			return this;
		}

		public Builder observationConvention(EmbeddingModelObservationConvention observationConvention) {
			this.observationConvention = observationConvention;
			return this;
		}

		/**
		 * @throws IllegalStateException when no provider was given
		 */
		public LlcudaEmbeddingModel build() {
			if (this.provider == null) {
				throw new IllegalStateException(
						"LlcudaEmbeddingModel.builder() needs a provider of the model to serve");
			}
			LlcudaEmbeddingModel model = new LlcudaEmbeddingModel(this.provider, this.observationRegistry);
			if (this.observationConvention != null) {
				model.setObservationConvention(this.observationConvention);
			}
			return model;
		}

	}

}
