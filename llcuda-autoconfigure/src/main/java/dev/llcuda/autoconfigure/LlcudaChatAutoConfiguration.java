package dev.llcuda.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.llcuda.chat.LlcudaChatModel;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.RequestGuard;
import dev.llcuda.runtime.ModelSet;

/**
 * {@link LlcudaChatModel} as the application's Spring AI chat model, unless
 * {@code spring.ai.model.chat} names another model (or {@code none}). Tools are resolved
 * by the application's {@link ToolCallingManager} (Spring AI's tool-calling
 * auto-configuration defines one unless the application does), else by Spring AI's
 * default one.
 */
@AutoConfiguration(after = { LlcudaAutoConfiguration.class, LlcudaResilienceAutoConfiguration.class },
		afterName = "org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration")
@ConditionalOnClass(ChatModel.class)
@ConditionalOnProperty(name = SpringAIModelProperties.CHAT_MODEL, havingValue = LlcudaChatAutoConfiguration.MODEL_NAME,
		matchIfMissing = true)
public final class LlcudaChatAutoConfiguration {

	/** The value of {@code spring.ai.model.chat} that selects llcuda. */
	public static final String MODEL_NAME = "llcuda";

	/** The chat options' prefix before {@value LlcudaChatProperties#PREFIX}. */
	static final String DEPRECATED_OPTIONS_PREFIX = LlcudaProperties.CHAT_PREFIX + ".options";

	private static final Logger logger = LoggerFactory.getLogger(LlcudaChatAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	LlcudaChatModel llcudaChatModel(ModelSet models, LlcudaProperties properties, LlcudaChatProperties chat,
			ObjectProvider<RequestGuard> guard, ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<ChatModelObservationConvention> observationConvention,
			ObjectProvider<ToolCallingManager> toolCallingManager) {
		ObservationRegistry observations = observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP);
		LlcudaChatModel.Builder chatModel = LlcudaChatModel.builder()
			.provider(new RuntimeChatProvider(models))
			.defaultOptions(defaultOptions(chat))
			.requestGuard(guard.getIfUnique(() -> RequestGuard.deadline(properties.getEngine().getRequestTimeout())))
			.observationRegistry(observations);
		toolCallingManager.ifUnique(chatModel::toolCallingManager);
		observationConvention.ifAvailable(chatModel::observationConvention);
		return chatModel.build();
	}

	/**
	 * The chat defaults: {@value LlcudaChatProperties#PREFIX}.* (which Boot binds onto
	 * this bean) over the deprecated {@code llcuda.chat.options.*}, whose use is logged
	 * as a warning.
	 */
	@Bean
	@ConditionalOnMissingBean
	LlcudaChatProperties llcudaChatProperties(Environment environment) {
		LlcudaChatProperties chat = new LlcudaChatProperties();
		Binder.get(environment)
			.bind(DEPRECATED_OPTIONS_PREFIX, Bindable.ofInstance(chat))
			.ifBound(bound -> logger.warn(
					"{}.* is deprecated and will be removed in the next release: set the same options under {}.* "
							+ "(for example {}.temperature)",
					DEPRECATED_OPTIONS_PREFIX, LlcudaChatProperties.PREFIX, LlcudaChatProperties.PREFIX));
		return chat;
	}

	static LlcudaChatOptions defaultOptions(LlcudaProperties.Options options) {
		return LlcudaChatOptions.builder()
			.temperature(options.getTemperature())
			.topK(options.getTopK())
			.topP(options.getTopP())
			.minP(options.getMinP())
			.maxTokens(options.getMaxTokens())
			.stopSequences(options.getStopSequences())
			.frequencyPenalty(options.getFrequencyPenalty())
			.presencePenalty(options.getPresencePenalty())
			.repetitionPenalty(options.getRepetitionPenalty())
			.seed(options.getSeed())
			.model(options.getModel())
			.build();
	}

}
