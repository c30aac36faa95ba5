package dev.llcuda.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

import dev.llcuda.chat.LlcudaChatModel;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.RequestGuard;
import dev.llcuda.runtime.ModelSet;

/**
 * {@link LlcudaChatModel} as the application's Spring AI chat model, unless
 * {@code spring.ai.model.chat} names another model (or {@code none}). Tools are resolved by the
 * application's {@link ToolCallingManager} (Spring AI's tool-calling auto-configuration defines one
 * unless the application does), else by Spring AI's default one.
 */
@AutoConfiguration(after = { LlcudaAutoConfiguration.class, LlcudaResilienceAutoConfiguration.class },
        afterName = "org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration")
@ConditionalOnClass(ChatModel.class)
@ConditionalOnProperty(name = SpringAIModelProperties.CHAT_MODEL, havingValue = LlcudaChatAutoConfiguration.MODEL_NAME,
        matchIfMissing = true)
public final class LlcudaChatAutoConfiguration {

    /** The value of {@code spring.ai.model.chat} that selects llcuda. */
    public static final String MODEL_NAME = "llcuda";

    @Bean
    @ConditionalOnMissingBean
    LlcudaChatModel llcudaChatModel(ModelSet models, LlcudaProperties properties,
            ObjectProvider<RequestGuard> guard, ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<ChatModelObservationConvention> observationConvention,
            ObjectProvider<ToolCallingManager> toolCallingManager) {
        ObservationRegistry observations = observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP);
        LlcudaChatModel chatModel = new LlcudaChatModel(models, defaultOptions(properties.getChat().getOptions()),
                guard.getIfUnique(() -> RequestGuard.deadline(properties.getEngine().getRequestTimeout())),
                observations, toolCallingManager.getIfUnique(
                        () -> ToolCallingManager.builder().observationRegistry(observations).build()));
        observationConvention.ifAvailable(chatModel::setObservationConvention);
        return chatModel;
    }

    static LlcudaChatOptions defaultOptions(LlcudaProperties.Options options) {
        return LlcudaChatOptions.builder().temperature(options.getTemperature()).topK(options.getTopK())
                .topP(options.getTopP()).minP(options.getMinP()).maxTokens(options.getMaxTokens())
                .stopSequences(options.getStopSequences()).frequencyPenalty(options.getFrequencyPenalty())
                .presencePenalty(options.getPresencePenalty()).repetitionPenalty(options.getRepetitionPenalty())
                .seed(options.getSeed()).model(options.getModel()).build();
    }
}
