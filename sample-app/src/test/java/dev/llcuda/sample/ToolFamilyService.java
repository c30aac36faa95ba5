package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;
import org.springframework.beans.factory.annotation.Autowired;

import dev.llcuda.chat.LlcudaChatModel;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.LlcudaToolChoice;

/**
 * Tool calling end to end for one model family's chat template (the {@link ChatScript}
 * the subclass sets; Qwen's when it sets none): through Spring AI's {@code ChatClient}
 * and through OpenAI's Java client against the running service, a {@code @Tool} method
 * run on the model's call, and forced calls ({@code tool_choice} required or a named
 * function) decoded under the family's call syntax with the arguments under the tool's
 * schema, parsed back and taken back into the conversation by the template.
 */
abstract class ToolFamilyService extends ScriptedService {

	@Autowired
	ChatClient chatClient;

	OpenAIClient client;

	@BeforeEach
	void connect() {
		this.client = OpenAiClients.connect(this.port);
	}

	static final class WeatherTools {

		final AtomicInteger calls = new AtomicInteger();

		@Tool(description = "The current weather in a city")
		String currentWeather(@ToolParam(description = "the city's name") String city) {
			this.calls.incrementAndGet();
			return "sunny, 21 degrees in " + city;
		}

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

	/** A request offering {@code get_weather} of any city. */
	ChatCompletionCreateParams.Builder weatherRequest(String question) {
		FunctionParameters parameters = FunctionParameters.builder()
			.putAdditionalProperty("type", JsonValue.from("object"))
			.putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
			.putAdditionalProperty("required", JsonValue.from(List.of("city")))
			.build();
		return ChatCompletionCreateParams.builder()
			.model(servedModel())
			.addUserMessage(question)
			.addFunctionTool(FunctionDefinition.builder()
				.name("get_weather")
				.description("The weather in a city")
				.parameters(parameters)
				.build());
	}

	/**
	 * Two tools whose arguments are an enum and an integer, so a random-weights model
	 * ends each call in a few tokens.
	 */
	private ChatCompletionCreateParams.Builder cityRequest(long seed) {
		FunctionParameters city = FunctionParameters.builder()
			.putAdditionalProperty("type", JsonValue.from("object"))
			.putAdditionalProperty("properties",
					JsonValue.from(Map.of("city", Map.of("enum", List.of("Paris", "Rome")))))
			.putAdditionalProperty("required", JsonValue.from(List.of("city")))
			.putAdditionalProperty("additionalProperties", JsonValue.from(false))
			.build();
		FunctionParameters day = FunctionParameters.builder()
			.putAdditionalProperty("type", JsonValue.from("object"))
			.putAdditionalProperty("properties",
					JsonValue.from(Map.of("day", Map.of("type", "integer", "minimum", 1, "maximum", 31))))
			.putAdditionalProperty("required", JsonValue.from(List.of("day")))
			.putAdditionalProperty("additionalProperties", JsonValue.from(false))
			.build();
		return ChatCompletionCreateParams.builder()
			.model(servedModel())
			.addUserMessage("Hi")
			.seed(seed)
			.maxCompletionTokens(200L)
			.addFunctionTool(FunctionDefinition.builder().name("get_weather").parameters(city).build())
			.addFunctionTool(FunctionDefinition.builder().name("get_date").parameters(day).build());
	}

	static List<ChatCompletionMessageFunctionToolCall> calls(ChatCompletion completion) {
		assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
		return completion.choices()
			.get(0)
			.message()
			.toolCalls()
			.orElseThrow()
			.stream()
			.map(ChatCompletionMessageToolCall::asFunction)
			.toList();
	}

	/** The request continued with the calls of {@code message} and these results. */
	static ChatCompletionCreateParams withResults(ChatCompletionCreateParams.Builder request,
			ChatCompletionMessage message, String... results) {
		List<ChatCompletionMessageToolCall> calls = message.toolCalls().orElseThrow();
		request.addMessage(message);
		for (int i = 0; i < calls.size(); i++) {
			request.addMessage(ChatCompletionToolMessageParam.builder()
				.toolCallId(calls.get(i).asFunction().id())
				.content(results[i])
				.build());
		}
		return request.build();
	}

	@Test
	void aToolMethodIsCalledThroughChatClientAndItsResultReachesTheAnswer() {
		WeatherTools weather = new WeatherTools();
		String answer = this.chatClient.prompt().user("What is the weather in Zurich?").tools(weather).call().content();
		assertThat(weather.calls).hasValue(1);
		assertThat(answer).isEqualTo(" The tool says it is sunny, 21 degrees.");

		List<String> pieces = this.chatClient.prompt()
			.user("What is the weather in Zurich?")
			.tools(weather)
			.stream()
			.content()
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(weather.calls).hasValue(2);
		assertThat(String.join("", pieces)).isEqualTo(" The tool says it is sunny, 21 degrees.");
	}

	@Test
	void aNamedToolChoiceThroughChatClientHoldsTheModelToOneCallOfThatTool() {
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
	void aRequiredToolChoiceThroughChatClientStreamsAsToolCalls() {
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
			.allSatisfy(call -> {
				assertThat(call.name()).isIn("weatherIn", "timeIn");
				assertThat(call.arguments()).matches("\\{\"city\":\"(ZURICH|PARIS)\"}");
			});
	}

	@Test
	void aNamedToolChoiceThroughTheOpenAiClientForcesOneValidCallStreamedToo() {
		for (long seed = 1; seed <= 3; seed++) {
			ChatCompletionCreateParams params = cityRequest(seed)
				.toolChoice(ChatCompletionNamedToolChoice.builder()
					.function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build())
					.build())
				.parallelToolCalls(false)
				.build();
			ChatCompletion whole = this.client.chat().completions().create(params);
			ChatCompletion streamed = OpenAiClients.accumulate(OpenAiClients.stream(this.client, params));
			for (ChatCompletion completion : List.of(whole, streamed)) {
				assertThat(calls(completion)).singleElement().satisfies(call -> {
					assertThat(call.function().name()).isEqualTo("get_weather");
					assertThat(call.function().arguments()).isIn("{\"city\":\"Paris\"}", "{\"city\":\"Rome\"}");
				});
			}
			assertThat(calls(streamed).get(0).function()).isEqualTo(calls(whole).get(0).function());
		}
	}

	@Test
	void requiredToolChoiceForcesValidCallsThatTheTemplateTakesBack() {
		for (long seed = 1; seed <= 3; seed++) {
			ChatCompletion forced = this.client.chat()
				.completions()
				.create(cityRequest(seed).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build());
			List<ChatCompletionMessageFunctionToolCall> calls = calls(forced);
			assertThat(calls).isNotEmpty().allSatisfy(call -> {
				String name = call.function().name();
				assertThat(name).isIn("get_weather", "get_date");
				assertThat(call.function().arguments()).matches(name.equals("get_weather")
						? "\\{\"city\":\"(Paris|Rome)\"}" : "\\{\"day\":([1-9]|[12][0-9]|3[01])}");
			});
			String[] results = calls.stream().map(call -> "done").toArray(String[]::new);
			ChatCompletion answer = this.client.chat()
				.completions()
				.create(withResults(cityRequest(seed), forced.choices().get(0).message(), results));
			assertThat(answer.choices().get(0).message().content()).hasValue(" " + ScriptedModelConfiguration.FALLBACK);
		}
	}

}
