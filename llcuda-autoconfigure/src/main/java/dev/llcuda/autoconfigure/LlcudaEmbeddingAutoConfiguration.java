package dev.llcuda.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationConvention;
import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

import dev.llcuda.embedding.LlcudaEmbeddingModel;
import dev.llcuda.runtime.ModelSet;

/**
 * {@link LlcudaEmbeddingModel} as the application's Spring AI embedding model when an
 * embedding model is configured ({@code llcuda.embedding.path}, or one of
 * {@code llcuda.models}), unless {@code spring.ai.model.embedding} names another model
 * (or {@code none}).
 */
@AutoConfiguration(after = LlcudaAutoConfiguration.class)
@ConditionalOnClass(EmbeddingModel.class)
@ConditionalOnProperty(name = SpringAIModelProperties.EMBEDDING_MODEL,
		havingValue = LlcudaChatAutoConfiguration.MODEL_NAME, matchIfMissing = true)
@Conditional(OnEmbeddingModelCondition.class)
public final class LlcudaEmbeddingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LlcudaEmbeddingModel llcudaEmbeddingModel(ModelSet models, ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<EmbeddingModelObservationConvention> observationConvention) {
		LlcudaEmbeddingModel.Builder model = LlcudaEmbeddingModel.builder()
			.provider(new RuntimeEmbeddingProvider(models))
			.observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
		observationConvention.ifAvailable(model::observationConvention);
		return model.build();
	}

}
