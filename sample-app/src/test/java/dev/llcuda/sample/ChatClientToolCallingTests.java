package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.retry.NonTransientAiException;

import dev.llcuda.chat.LlcudaChatModel;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.LlcudaLogprobs;
import dev.llcuda.chat.LlcudaToolChoice;

/**
 * Spring AI tool calling through {@code ChatClient} with Qwen 2.5's template (the default
 * chat script): the shared family checks of {@link ToolFamilyService}, and what is
 * checked once rather than per family: without the tool-calling advisor the caller gets
 * the calls, an unknown named tool is refused, log-probabilities reach the metadata, and
 * a request without tools gets a plain answer.
 */
class ChatClientToolCallingTests extends ToolFamilyService {

	@Test
	void withoutTheAdvisorTheCallerGetsTheToolCallsToRunItself() {
		WeatherTools weather = new WeatherTools();
		ChatResponse response = this.chatClient.prompt()
			.user("What is the weather in Zurich?")
			.tools(weather)
			.advisors(AdvisorParams.toolCallingAdvisorAutoRegister(false))
			.call()
			.chatResponse();
		assertThat(weather.calls).hasValue(0);
		AssistantMessage message = response.getResult().getOutput();
		assertThat(message.getText()).isEmpty();
		assertThat(message.getToolCalls()).singleElement().satisfies(call -> {
			assertThat(call.name()).isEqualTo("currentWeather");
			assertThat(call.arguments()).isEqualTo("{\"city\":\"Zurich\"}");
			assertThat(call.id()).matches("[A-Za-z0-9]{9}");
		});
		assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo(LlcudaChatModel.TOOL_CALLS);
	}

	@Test
	void aToolChoiceNamingAnUnknownToolIsRefusedNamingIt() {
		assertThatThrownBy(() -> this.chatClient.prompt()
			.user("Hi")
			.tools(new CityTools())
			.options(LlcudaChatOptions.builder().toolChoice(LlcudaToolChoice.function("nope")))
			.call()
			.content()).isInstanceOf(NonTransientAiException.class)
			.hasCauseInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("'nope'");
	}

	@Test
	void logprobsComeInTheGenerationMetadata() {
		ChatResponse response = this.chatClient.prompt()
			.user("Hi")
			.options(LlcudaChatOptions.builder().logprobs(true).topLogprobs(2).temperature(0.0).maxTokens(5))
			.call()
			.chatResponse();
		LlcudaLogprobs logprobs = response.getResult().getMetadata().get(LlcudaChatModel.LOGPROBS_METADATA);
		assertThat(logprobs.content()).isNotEmpty().allSatisfy(token -> {
			assertThat(token.topLogprobs()).hasSize(2);
			assertThat(token.logprob()).isEqualTo(token.topLogprobs().get(0).logprob()); // greedy
		});
	}

	@Test
	void withoutToolsTheTemplateGetsNoneAndTheModelAnswersPlainly() {
		assertThat(this.chatClient.prompt().user("Hi").call().content())
			.isEqualTo(" " + ScriptedModelConfiguration.FALLBACK);
	}

}
