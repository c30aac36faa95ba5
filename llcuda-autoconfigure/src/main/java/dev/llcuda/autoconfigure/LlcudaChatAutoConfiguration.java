package dev.llcuda.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

import dev.llcuda.chat.LlcudaChatModel;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.RequestGuard;
import dev.llcuda.runtime.LlcudaRuntime;

/**
 * {@link LlcudaChatModel} as the application's Spring AI chat model, unless
 * {@code spring.ai.model.chat} names another model (or {@code none}).
 */
@AutoConfiguration(after = { LlcudaAutoConfiguration.class, LlcudaResilienceAutoConfiguration.class })
@ConditionalOnClass(ChatModel.class)
@ConditionalOnProperty(name = SpringAIModelProperties.CHAT_MODEL, havingValue = LlcudaChatAutoConfiguration.MODEL_NAME,
        matchIfMissing = true)
public final class LlcudaChatAutoConfiguration {

    /** The value of {@code spring.ai.model.chat} that selects llcuda. */
    public static final String MODEL_NAME = "llcuda";

    @Bean
    @ConditionalOnMissingBean
    LlcudaChatModel llcudaChatModel(LlcudaRuntime runtime, LlcudaProperties properties,
            ObjectProvider<RequestGuard> guard, ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<ChatModelObservationConvention> observationConvention) {
        LlcudaChatModel chatModel = new LlcudaChatModel(runtime, defaultOptions(properties.getChat().getOptions()),
                guard.getIfUnique(() -> RequestGuard.deadline(properties.getEngine().getRequestTimeout())),
                observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
        observationConvention.ifAvailable(chatModel::setObservationConvention);
        return chatModel;
    }

    static LlcudaChatOptions defaultOptions(LlcudaProperties.Options options) {
        return LlcudaChatOptions.builder().temperature(options.getTemperature()).topK(options.getTopK())
                .topP(options.getTopP()).minP(options.getMinP()).maxTokens(options.getMaxTokens())
                .stopSequences(options.getStopSequences()).frequencyPenalty(options.getFrequencyPenalty())
                .presencePenalty(options.getPresencePenalty()).repetitionPenalty(options.getRepetitionPenalty())
                .seed(options.getSeed()).build();
    }
}
