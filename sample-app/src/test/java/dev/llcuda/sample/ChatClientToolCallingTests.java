package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;
import org.springframework.beans.factory.annotation.Autowired;

import dev.llcuda.chat.LlcudaChatModel;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.LlcudaLogprobs;
import dev.llcuda.chat.LlcudaToolChoice;

/**
 * Spring AI tool calling through {@code ChatClient}: a tiny Llama 2 on the native
 * library, Qwen 2.5's template rendering the tools, the model's {@code <tool_call>}
 * parsed back, and Spring AI's tool-calling advisor running the {@code @Tool} method and
 * sending its result to the model.
 */
class ChatClientToolCallingTests extends ScriptedService {

	@Autowired
	ChatClient chatClient;

	private final WeatherTools weather = new WeatherTools();

	static final class WeatherTools {

		final AtomicInteger calls = new AtomicInteger();

		@Tool(description = "The current weather in a city")
		String currentWeather(@ToolParam(description = "the city's name") String city) {
			this.calls.incrementAndGet();
			return "sunny, 21 degrees in " + city;
		}

	}

	@Test
	void aToolMethodIsCalledAndItsResultReachesTheAnswer() {
		String answer = this.chatClient.prompt()
			.user("What is the weather in Zurich?")
			.tools(this.weather)
			.call()
			.content();
		assertThat(this.weather.calls).hasValue(1);
		assertThat(answer).isEqualTo(" The tool says it is sunny, 21 degrees.");
	}

	@Test
	void withoutTheAdvisorTheCallerGetsTheToolCallsToRunItself() {
		ChatResponse response = this.chatClient.prompt()
			.user("What is the weather in Zurich?")
			.tools(this.weather)
			.advisors(AdvisorParams.toolCallingAdvisorAutoRegister(false))
			.call()
			.chatResponse();
		assertThat(this.weather.calls).hasValue(0);
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
	void aStreamRunsTheToolAndStreamsTheAnswer() {
		List<String> pieces = this.chatClient.prompt()
			.user("What is the weather in Zurich?")
			.tools(this.weather)
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(this.weather.calls).hasValue(1);
		assertThat(String.join("", pieces)).isEqualTo(" The tool says it is sunny, 21 degrees.");
		assertThat(pieces).hasSizeGreaterThan(1);
	}

	enum City {

		ZURICH, PARIS

	}

	static final class CityTools {

		@Tool(description = "The current weather in a city")
		String weatherIn(@ToolParam(description = "the city") City city) {
			return "sunny in " + city;
		}

		@Tool(description = "The local time in a city")
		String timeIn(@ToolParam(description = "the city") City city) {
			return "noon in " + city;
		}

	}

	@Test
	void aNamedToolChoiceHoldsTheModelToOneCallOfThatToolUnderItsSchema() {
		for (long seed = 1; seed <= 3; seed++) {
			ChatResponse response = this.chatClient.prompt()
				.user("Hi")
				.tools(new CityTools())
				.options(LlcudaChatOptions.builder()
					.toolChoice(LlcudaToolChoice.function("timeIn"))
					.parallelToolCalls(false)
					.seed(seed))
				.advisors(AdvisorParams.toolCallingAdvisorAutoRegister(false))
				.call()
				.chatResponse();
			assertThat(response.getResult().getOutput().getToolCalls()).singleElement().satisfies(call -> {
				assertThat(call.name()).isEqualTo("timeIn");
				assertThat(call.arguments()).matches("\\{\"city\":\"(ZURICH|PARIS)\"}");
			});
			assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo(LlcudaChatModel.TOOL_CALLS);
		}
	}

	@Test
	void aForcedToolCallStreamsAsAToolCall() {
		List<ChatResponse> responses = this.chatClient.prompt()
			.user("Hi")
			.tools(new CityTools())
			.options(LlcudaChatOptions.builder().toolChoice(LlcudaToolChoice.required()).seed(5L).maxTokens(200))
			.advisors(AdvisorParams.toolCallingAdvisorAutoRegister(false))
			.stream()
			.chatResponse()
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(responses).flatExtracting(response -> response.getResult().getOutput().getToolCalls())
			.isNotEmpty()
			.allSatisfy(call -> assertThat(call.name()).isIn("weatherIn", "timeIn"));
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
