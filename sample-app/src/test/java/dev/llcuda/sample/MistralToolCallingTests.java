package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

/**
 * Tool calling with Mistral Nemo's chat template (see {@link ToolFamilyService}), and
 * parallel calls through OpenAI's client: one {@code [TOOL_CALLS]} array of two calls
 * comes back as two tool calls with 9-character ids (the template refuses others), whole
 * or streamed; sent back, the template writes both calls with their ids and each result
 * naming its call's id, which the scripted answer checks.
 */
@TestPropertySource(properties = ScriptedModelConfiguration.SCRIPT_PROPERTY + "=MISTRAL")
class MistralToolCallingTests extends ToolFamilyService {

	private static final String QUESTION = "What is the weather in Paris and Rome?";

	@Test
	void parallelCallsRoundTripWholeAndStreamed() {
		ChatCompletion whole = this.client.chat().completions().create(weatherRequest(QUESTION).build());
		ChatCompletion streamed = OpenAiClients
			.accumulate(OpenAiClients.stream(this.client, weatherRequest(QUESTION).build()));
		for (ChatCompletion calling : List.of(whole, streamed)) {
			List<ChatCompletionMessageFunctionToolCall> calls = calls(calling);
			assertThat(calls).extracting(call -> call.function().name()).containsExactly("get_weather", "get_weather");
			assertThat(calls).extracting(call -> call.function().arguments())
				.containsExactly("{\"city\":\"Paris\"}", "{\"city\":\"Rome\"}");
			assertThat(calls).extracting(ChatCompletionMessageFunctionToolCall::id)
				.doesNotHaveDuplicates()
				.allSatisfy(id -> assertThat(id).matches("[A-Za-z0-9]{9}"));
			ChatCompletionCreateParams next = withResults(weatherRequest(QUESTION), calling.choices().get(0).message(),
					"Paris: 18C", "Rome: 25C");
			assertThat(this.client.chat().completions().create(next).choices().get(0).message().content())
				.hasValue(" Paris has 18C and Rome 25C.");
		}
	}

}
