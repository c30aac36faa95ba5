package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.test.context.TestPropertySource;

/**
 * Tool calling with Llama 3.1's chat template (see {@link ToolFamilyService}), and its
 * two call forms through OpenAI's client: a reply opened with {@code <|python_tag|>}
 * (Paris) and a plain JSON reply (Rome) both come back as the same tool call, with no
 * text, whole or streamed; sent back, the template writes the call as the {@code {"name":
 * ..., "parameters": ...}} JSON it teaches and the result as an {@code ipython} turn,
 * which the scripted answer checks.
 */
@TestPropertySource(properties = ScriptedModelConfiguration.SCRIPT_PROPERTY + "=LLAMA3")
class Llama3ToolCallingTests extends ToolFamilyService {

	@ParameterizedTest
	@CsvSource({ "Paris, Paris: 18C, Paris has 18C.", "Rome, Rome: 25C, Rome has 25C." })
	void aCallInEitherFormRoundTripsWholeAndStreamed(String city, String result, String answer) {
		String question = "What is the weather in " + city + "?";
		ChatCompletion whole = this.client.chat().completions().create(weatherRequest(question).build());
		List<ChatCompletionChunk> chunks = OpenAiClients.stream(this.client, weatherRequest(question).build());
		ChatCompletion streamed = OpenAiClients.accumulate(chunks);
		for (ChatCompletion calling : List.of(whole, streamed)) {
			assertThat(calls(calling)).singleElement().satisfies(call -> {
				assertThat(call.function().name()).isEqualTo("get_weather");
				assertThat(call.function().arguments()).isEqualTo("{\"city\":\"" + city + "\"}");
			});
			assertThat(calling.choices().get(0).message().content().orElse("")).isEmpty();
			ChatCompletionCreateParams next = withResults(weatherRequest(question), calling.choices().get(0).message(),
					result);
			assertThat(this.client.chat().completions().create(next).choices().get(0).message().content())
				.hasValue(" " + answer);
			assertThat(OpenAiClients.accumulate(OpenAiClients.stream(this.client, next))
				.choices()
				.get(0)
				.message()
				.content()).hasValue(" " + answer);
		}
		assertThat(chunks).flatExtracting(chunk -> chunk.choices())
			.allSatisfy(choice -> assertThat(choice.delta().content().orElse("")).isEmpty());
	}

}
