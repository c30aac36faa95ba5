package dev.llcuda.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;

import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.GenerationResult;
import dev.llcuda.engine.ModelEngine;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;

/**
 * {@link LlcudaChatModel} built with its builder over a {@link ModelEngine} on the real
 * native library (CPU) and the shared micro-llama, with no Spring context: its greedy
 * answer is the engine's own greedy continuation of the same prompt.
 */
class LlcudaChatModelWithoutSpringTests {

	private static final Path MODEL = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"), "models",
			"micro-llama-Q8_0.gguf");

	private static Backend backend;

	private static ModelEngine model;

	@BeforeAll
	static void openModel() throws Exception {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
		model = ModelEngine.open(backend, MODEL,
				ModelEngine.Options.defaults()
					.withEngineConfig(config -> config.withLimits(2, 64, 4))
					.withKvBlocks(32));
	}

	@AfterAll
	static void closeModel() {
		model.close();
		backend.close();
	}

	@Test
	void aChatModelBuiltWithoutSpringAnswersAsTheEngineDoes() throws Exception {
		ServedChatModel served = ServedChatModel.of(model);
		LlcudaChatModel chatModel = LlcudaChatModel.builder()
			.provider(() -> served)
			.defaultOptions(LlcudaChatOptions.builder().temperature(0.0).maxTokens(8).build())
			.build();
		List<org.springframework.ai.chat.messages.Message> messages = List.of(new UserMessage("Hello"));

		ChatResponse response = chatModel.call(new Prompt(messages));

		int[] prompt = PromptEncoder.encode(served, messages);
		GenerationResult expected = model.engine()
			.submit(GenerationRequest.greedy(prompt, 8))
			.result()
			.get(60, TimeUnit.SECONDS);
		assertThat(expected.generatedTokens()).isPositive();
		assertThat(response.getResult().getOutput().getText()).isEqualTo(expected.text());
		assertThat(response.getMetadata().getUsage().getPromptTokens()).isEqualTo(prompt.length);
		assertThat(response.getMetadata().getUsage().getCompletionTokens()).isEqualTo(expected.generatedTokens());
		assertThat(response.getMetadata().getModel()).isEqualTo(model.spec().name());
	}

	@Test
	void theBuilderNeedsAProvider() {
		assertThatThrownBy(() -> LlcudaChatModel.builder().build()).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("needs a provider");
	}

}
