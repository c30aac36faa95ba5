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

import dev.llcuda.embedding.LlcudaEmbeddingModel;
import dev.llcuda.engine.EmbeddingEngine;
import dev.llcuda.runtime.EmbeddingRuntime;
import dev.llcuda.runtime.GpuMonitor;
import dev.llcuda.runtime.NativeRuntime;

/**
 * {@link LlcudaEmbeddingModel} as the application's Spring AI embedding model when
 * {@code llcuda.embedding.path} names a model, unless {@code spring.ai.model.embedding} names
 * another model (or {@code none}).
 */
@AutoConfiguration(after = LlcudaAutoConfiguration.class)
@ConditionalOnClass(EmbeddingModel.class)
@ConditionalOnProperty(name = SpringAIModelProperties.EMBEDDING_MODEL, havingValue = LlcudaChatAutoConfiguration.MODEL_NAME,
        matchIfMissing = true)
@ConditionalOnProperty(name = LlcudaProperties.PREFIX + ".embedding.path")
public final class LlcudaEmbeddingAutoConfiguration {

    /**
     * @throws IllegalStateException when the native library did not load (the configured model cannot be served)
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    EmbeddingRuntime llcudaEmbeddingRuntime(LlcudaProperties properties, NativeRuntime nativeRuntime, GpuMonitor gpu) {
        LlcudaProperties.Embedding embedding = properties.getEmbedding();
        return EmbeddingRuntime.open(nativeRuntime.library().orElseThrow(() -> new IllegalStateException(
                "llcuda.embedding.path is set but the native library is not loaded: " + nativeRuntime.failure().orElse(""))),
                gpu.selection(), embedding.getPath(), embedding.getCpuThreads(),
                new EmbeddingEngine.Options(embedding.getMaxBatchTokens(), embedding.getOverflow()));
    }

    @Bean
    @ConditionalOnMissingBean
    LlcudaEmbeddingModel llcudaEmbeddingModel(EmbeddingRuntime runtime, ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<EmbeddingModelObservationConvention> observationConvention) {
        LlcudaEmbeddingModel.Builder model = LlcudaEmbeddingModel.builder().provider(runtime::engine)
                .observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
        observationConvention.ifAvailable(model::observationConvention);
        return model.build();
    }
}
