package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chat API as OpenAI's own Java client calls it: tool calls, several choices, streams
 * and errors (forced tool calls: {@link ToolFamilyService}, run for Qwen's template by
 * {@link ChatClientToolCallingTests}).
 */
class OpenAiClientTests extends ScriptedService {

	private static final String WEATHER_QUESTION = "What is the weather in Paris and Rome?";

	private OpenAIClient client;

	@BeforeEach
	void connect() {
		this.client = OpenAiClients.connect(this.port);
	}

	private ChatCompletionCreateParams.Builder weatherRequest() {
		FunctionParameters parameters = FunctionParameters.builder()
			.putAdditionalProperty("type", JsonValue.from("object"))
			.putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
			.putAdditionalProperty("required", JsonValue.from(List.of("city")))
			.build();
		return ChatCompletionCreateParams.builder()
			.model(servedModel())
			.addUserMessage(WEATHER_QUESTION)
			.addFunctionTool(FunctionDefinition.builder()
				.name("get_weather")
				.description("The weather in a city")
				.parameters(parameters)
				.build());
	}

	private static void assertParisAndRomeCalls(ChatCompletionMessage message) {
		List<ChatCompletionMessageFunctionToolCall> calls = message.toolCalls()
			.orElseThrow()
			.stream()
			.map(ChatCompletionMessageToolCall::asFunction)
			.toList();
		assertThat(calls).extracting(call -> call.function().name()).containsExactly("get_weather", "get_weather");
		assertThat(calls).extracting(call -> call.function().arguments())
			.containsExactly("{\"city\":\"Paris\"}", "{\"city\":\"Rome\"}");
		assertThat(calls).extracting(ChatCompletionMessageFunctionToolCall::id).doesNotHaveDuplicates();
	}

	/** The conversation continued with the results of the calls in {@code message}. */
	private ChatCompletionCreateParams withResults(ChatCompletionMessage message) {
		List<ChatCompletionMessageFunctionToolCall> calls = message.toolCalls()
			.orElseThrow()
			.stream()
			.map(ChatCompletionMessageToolCall::asFunction)
			.toList();
		ChatCompletionCreateParams.Builder next = weatherRequest().addMessage(message);
		next.addMessage(
				ChatCompletionToolMessageParam.builder().toolCallId(calls.get(0).id()).content("Paris: 18C").build());
		next.addMessage(
				ChatCompletionToolMessageParam.builder().toolCallId(calls.get(1).id()).content("Rome: 25C").build());
		return next.build();
	}

	@Test
	void aToolCallRoundTrip() {
		ChatCompletion calling = this.client.chat().completions().create(weatherRequest().build());
		ChatCompletion.Choice choice = calling.choices().get(0);
		assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
		assertThat(choice.message().content()).isEmpty();
		assertParisAndRomeCalls(choice.message());
		assertThat(calling.id()).startsWith("chatcmpl-");
		assertThat(calling.systemFingerprint())
			.hasValueSatisfying(fingerprint -> assertThat(fingerprint).startsWith("fp_"));
		assertThat(calling.model()).isEqualTo(servedModel());

		ChatCompletion answer = this.client.chat().completions().create(withResults(choice.message()));
		assertThat(answer.choices().get(0).message().content()).hasValue(" Paris has 18C and Rome 25C.");
		assertThat(answer.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
	}

	@Test
	void aStreamedToolCallRoundTrip() {
		List<ChatCompletionChunk> chunks = stream(weatherRequest().build());
		assertThat(chunks.get(0).choices().get(0).delta().role())
			.hasValue(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
		assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(chunks.get(0).id());
		ChatCompletion calling = accumulate(chunks);
		assertThat(calling.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
		assertParisAndRomeCalls(calling.choices().get(0).message());

		ChatCompletion answer = accumulate(stream(withResults(calling.choices().get(0).message())));
		assertThat(answer.choices().get(0).message().content()).hasValue(" Paris has 18C and Rome 25C.");
	}

	@Test
	void threeChoicesWithTheirUsageAddedUp() {
		ChatCompletionCreateParams single = ChatCompletionCreateParams.builder()
			.model(servedModel())
			.addUserMessage("Hi")
			.seed(5L)
			.build();
		ChatCompletion one = this.client.chat().completions().create(single);
		ChatCompletion three = this.client.chat().completions().create(single.toBuilder().n(3L).build());
		assertThat(three.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L, 2L);
		assertThat(three.choices()).extracting(choice -> choice.message().content().orElseThrow())
			.containsOnly(" " + ScriptedModelConfiguration.FALLBACK);
		long completion = one.usage().orElseThrow().completionTokens();
		assertThat(three.usage().orElseThrow().promptTokens()).isEqualTo(one.usage().orElseThrow().promptTokens());
		assertThat(three.usage().orElseThrow().completionTokens()).isEqualTo(3 * completion);

		List<ChatCompletionChunk> chunks = stream(single.toBuilder()
			.n(3L)
			.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
			.build());
		ChatCompletionChunk last = chunks.get(chunks.size() - 1);
		assertThat(last.choices()).isEmpty();
		assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(3 * completion);
		assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(chunk -> assertThat(chunk.usage()).isEmpty());
		assertThat(accumulate(chunks).choices()).extracting(choice -> choice.message().content().orElseThrow())
			.containsExactly(" " + ScriptedModelConfiguration.FALLBACK, " " + ScriptedModelConfiguration.FALLBACK,
					" " + ScriptedModelConfiguration.FALLBACK);
	}

	@Test
	void stopAsAStringAndTextContentPartsAreAccepted() {
		ChatCompletion stopped = this.client.chat()
			.completions()
			.create(ChatCompletionCreateParams.builder()
				.model(servedModel())
				.addUserMessage("Hi")
				.stop("there")
				.maxCompletionTokens(20L)
				.build());
		assertThat(stopped.choices().get(0).message().content()).hasValue(" Hello ");
		ChatCompletion parts = this.client.chat()
			.completions()
			.create(ChatCompletionCreateParams.builder()
				.model(servedModel())
				.addUserMessageOfArrayOfContentParts(List
					.of(ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("Hi").build())))
				.build());
		assertThat(parts.choices().get(0).message().content()).hasValue(" " + ScriptedModelConfiguration.FALLBACK);
	}

	@Test
	void anUnknownModelIsNotFoundInOpenAisShape() {
		OpenAIServiceException error = failure(params -> params.model("gpt-4o"));
		assertThat(error.statusCode()).isEqualTo(404);
		assertThat(error.code()).hasValue("model_not_found");
		assertThat(error.param()).hasValue("model");
		assertThat(error.type()).hasValue("invalid_request_error");
	}

	@Test
	void whatTheServiceCannotDoIsRefusedNamingTheField() {
		assertRefused(params -> params.topLogprobs(3L), "top_logprobs needs logprobs: true");
		assertRefused(params -> params.logprobs(true).topLogprobs(21L), "top_logprobs 21 must be in [0, 20]");
		assertRefused(params -> params.n(0L), "n must be between 1 and 16");
		assertRefused(params -> params.n(17L), "n must be between 1 and 16");
		assertRefused(params -> params.maxTokens(5L).maxCompletionTokens(6L), "max_completion_tokens");
		assertRefused(params -> params.addFunctionTool(FunctionDefinition.builder().name("f").build())
			.toolChoice(ChatCompletionNamedToolChoice.builder()
				.function(ChatCompletionNamedToolChoice.Function.builder().name("g").build())
				.build()), "tool_choice names the function 'g'");
		assertRefused(params -> params.toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED),
				"tool_choice \"required\" needs tools");
		assertRefused(params -> params.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()),
				"stream_options");
		assertRefused(params -> params.addUserMessageOfArrayOfContentParts(List
			.of(ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
				.imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url("https://example.com/cat.png").build())
				.build()))), "image_url");
		assertRefused(
				params -> params
					.addMessage(ChatCompletionToolMessageParam.builder().toolCallId("nope").content("x").build()),
				"tool_call_id");
		assertThat(failure(params -> params.putAdditionalBodyProperty("best_of", JsonValue.from(2))).statusCode())
			.isEqualTo(400);
	}

	@Test
	void logprobsOfEveryTokenWithTheTopAlternativesStreamedToo() {
		ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
			.model(servedModel())
			.addUserMessage("Hi")
			.temperature(0.0)
			.maxCompletionTokens(6L)
			.logprobs(true)
			.topLogprobs(3L)
			.build();
		ChatCompletion whole = this.client.chat().completions().create(params);
		List<ChatCompletionTokenLogprob> tokens = whole.choices()
			.get(0)
			.logprobs()
			.orElseThrow()
			.content()
			.orElseThrow();
		long completionTokens = whole.usage().orElseThrow().completionTokens();
		assertThat(tokens).hasSizeBetween((int) completionTokens - 1, (int) completionTokens); // an
																								// ending
																								// EOS
																								// has
																								// none
		assertThat(tokens).allSatisfy(token -> {
			assertThat(token.logprob()).isLessThanOrEqualTo(0.0);
			assertThat(token.topLogprobs()).hasSize(3);
			assertThat(token.topLogprobs().get(0).logprob())
				.isGreaterThanOrEqualTo(token.topLogprobs().get(1).logprob());
			// greedy: the drawn token is the most probable one
			assertThat(token.logprob()).isEqualTo(token.topLogprobs().get(0).logprob());
			assertThat(token.bytes()).isPresent();
		});

		List<ChatCompletionChunk> chunks = stream(params);
		List<ChatCompletionTokenLogprob> streamed = chunks.stream()
			.flatMap(chunk -> chunk.choices().stream())
			.flatMap(choice -> choice.logprobs().stream())
			.flatMap(logprobs -> logprobs.content().stream())
			.flatMap(List::stream)
			.toList();
		assertThat(streamed).extracting(ChatCompletionTokenLogprob::token)
			.isEqualTo(tokens.stream().map(ChatCompletionTokenLogprob::token).toList());
		assertThat(streamed).extracting(ChatCompletionTokenLogprob::logprob)
			.isEqualTo(tokens.stream().map(ChatCompletionTokenLogprob::logprob).toList());
	}

	@Test
	void legacyCompletionsReportLogprobsAsParallelLists() {
		Completion completion = this.client.completions()
			.create(CompletionCreateParams.builder()
				.model(servedModel())
				.prompt("Once upon a time")
				.maxTokens(5L)
				.temperature(0.0)
				.logprobs(2L)
				.build());
		CompletionChoice.Logprobs logprobs = completion.choices().get(0).logprobs().orElseThrow();
		int n = logprobs.tokens().orElseThrow().size();
		assertThat(n).isPositive();
		assertThat(logprobs.tokenLogprobs().orElseThrow()).hasSize(n)
			.allSatisfy(value -> assertThat(value).isLessThanOrEqualTo(0.0));
		assertThat(logprobs.topLogprobs().orElseThrow()).hasSize(n);
		assertThat(logprobs.textOffset().orElseThrow()).hasSize(n).startsWith(0L);
		assertThat(logprobs.topLogprobs().orElseThrow())
			.allSatisfy(top -> assertThat(top._additionalProperties()).isNotEmpty().hasSizeLessThanOrEqualTo(2));
	}

	private void assertRefused(Consumer<ChatCompletionCreateParams.Builder> change, String named) {
		OpenAIServiceException error = failure(change);
		assertThat(error.statusCode()).as(named).isEqualTo(400);
		assertThat(error.body().toString()).as(named).contains(named);
	}

	private OpenAIServiceException failure(Consumer<ChatCompletionCreateParams.Builder> change) {
		ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
			.model(servedModel())
			.addUserMessage("Hi");
		change.accept(params);
		return catchThrowableOfType(OpenAIServiceException.class,
				() -> this.client.chat().completions().create(params.build()));
	}

	private List<ChatCompletionChunk> stream(ChatCompletionCreateParams params) {
		return OpenAiClients.stream(this.client, params);
	}

	private static ChatCompletion accumulate(List<ChatCompletionChunk> chunks) {
		return OpenAiClients.accumulate(chunks);
	}

}
