package dev.llcuda.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llcuda.engine.AdapterUse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.ai.model.tool.StructuredOutputChatOptions;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.function.FunctionToolCallback;

/**
 * Tool options copy and combine as Spring AI's own tool-calling options do; the response
 * format: Spring AI's output schema maps onto it and it survives copying and merging; a
 * request's adapter choice (one adapter or a stack) replaces the defaults' whole.
 */
class LlcudaChatOptionsTests {

	private static ToolCallback tool(String name) {
		return FunctionToolCallback.builder(name, (Map<String, Object> input) -> name)
			.description(name)
			.inputType(Map.class)
			.build();
	}

	@Test
	void aCopyKeepsToolsAndToolContext() {
		ToolCallback clock = tool("clock");
		LlcudaChatOptions options = LlcudaChatOptions.builder()
			.seed(3L)
			.toolCallbacks(clock)
			.toolContext("user", "ada")
			.build();
		LlcudaChatOptions copy = options.mutate().build();
		assertThat(copy).isEqualTo(options);
		assertThat(copy.getToolCallbacks()).containsExactly(clock);
		assertThat(copy.getToolContext()).containsExactly(Map.entry("user", "ada"));
	}

	@Test
	void combiningAddsToolsAndMergesToolContextLikeSpringAisOptions() {
		ToolCallback clock = tool("clock");
		ToolCallback weather = tool("weather");
		LlcudaChatOptions.Builder defaults = LlcudaChatOptions.builder()
			.temperature(0.5)
			.toolCallbacks(clock)
			.toolContext(Map.of("user", "ada", "tenant", "a"));
		ToolCallingChatOptions.Builder<?> request = ToolCallingChatOptions.builder()
			.toolCallbacks(weather)
			.toolContext("tenant", "b");
		LlcudaChatOptions combined = defaults.combineWith(request).build();
		assertThat(combined.getToolCallbacks()).containsExactly(clock, weather);
		assertThat(combined.getToolContext()).isEqualTo(Map.of("user", "ada", "tenant", "b"));
		assertThat(combined.getTemperature()).isEqualTo(0.5);
		assertThat(LlcudaChatOptions.builder().toolContext("a", 1).toolContext(null).build().getToolContext()).isNull();
	}

	@Test
	void twoToolsOfOneNameAreRefused() {
		assertThatThrownBy(
				() -> LlcudaChatOptions.builder().toolCallbacks(List.of(tool("clock"), tool("clock"))).build())
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("clock");
	}

	private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";

	@Test
	void theOutputSchemaOfSpringAiIsAJsonSchemaResponseFormat() {
		StructuredOutputChatOptions options = LlcudaChatOptions.builder().temperature(0.5).build();
		LlcudaChatOptions withSchema = (LlcudaChatOptions) options.mutate().outputSchema(SCHEMA).build();

		assertThat(withSchema.getOutputSchema()).isEqualTo(SCHEMA);
		assertThat(withSchema.getResponseFormat()).isEqualTo(LlcudaResponseFormat.jsonSchema(SCHEMA));
		assertThat(withSchema.getTemperature()).isEqualTo(0.5);
	}

	@Test
	void stackedAdaptersSurviveMutateAndARequestsAdapterChoiceReplacesTheDefaultsWhole() {
		List<AdapterUse> stack = List.of(new AdapterUse("first", 0.5f), new AdapterUse("second", 2f));
		LlcudaChatOptions defaults = LlcudaChatOptions.builder().adapter("first").build();
		LlcudaChatOptions request = LlcudaChatOptions.builder().adapters(stack).build();

		assertThat(request.mutate().build()).isEqualTo(request);
		LlcudaChatOptions merged = request.overriding(defaults);
		assertThat(merged.getAdapters()).isEqualTo(stack);
		assertThat(merged.getAdapter()).isNull();
		LlcudaChatOptions single = LlcudaChatOptions.builder().adapter("second").build().overriding(request);
		assertThat(single.getAdapter()).isEqualTo("second");
		assertThat(single.getAdapters()).isNull();
		assertThat(LlcudaChatOptions.builder().build().overriding(request).getAdapters()).isEqualTo(stack);
	}

	@Test
	void theResponseFormatSurvivesMutateAndWinsOverDefaultsWhenSet() {
		LlcudaChatOptions defaults = LlcudaChatOptions.builder()
			.responseFormat(LlcudaResponseFormat.jsonObject())
			.build();
		LlcudaChatOptions request = LlcudaChatOptions.builder().outputSchema(SCHEMA).build();

		assertThat(defaults.mutate().build()).isEqualTo(defaults);
		assertThat(request.overriding(defaults).getResponseFormat()).isEqualTo(LlcudaResponseFormat.jsonSchema(SCHEMA));
		assertThat(LlcudaChatOptions.builder().build().overriding(defaults).getResponseFormat())
			.isEqualTo(LlcudaResponseFormat.jsonObject());
		assertThat(LlcudaChatOptions.builder().build().getOutputSchema()).isNull();
		assertThat(defaults.getOutputSchema()).isNull();
	}

	@Test
	void aSchemaGoesWithTheJsonSchemaTypeOnly() {
		assertThatThrownBy(() -> new LlcudaResponseFormat(LlcudaResponseFormat.Type.JSON_OBJECT, SCHEMA))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new LlcudaResponseFormat(LlcudaResponseFormat.Type.JSON_SCHEMA, null))
			.isInstanceOf(IllegalArgumentException.class);
	}

}
