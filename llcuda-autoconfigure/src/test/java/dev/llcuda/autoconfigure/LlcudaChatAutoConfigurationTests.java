package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.llcuda.chat.LlcudaChatOptions;

/**
 * {@link LlcudaChatAutoConfiguration}: the chat defaults under spring.ai.llcuda.chat.*
 * and the deprecated keys.
 */
@ExtendWith(OutputCaptureExtension.class)
class LlcudaChatAutoConfigurationTests {

	private static final String DEPRECATION = "llcuda.chat.options.* is deprecated";

	@TempDir
	Path temp;

	private ApplicationContextRunner runner() throws IOException {
		return LlcudaContextRunner.of(this.temp)
			.withPropertyValues("llcuda.registry.enabled=false")
			.withConfiguration(AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaChatAutoConfiguration.class));
	}

	private static LlcudaChatOptions defaults(org.springframework.context.ApplicationContext context) {
		return (LlcudaChatOptions) context.getBean(ChatModel.class).getOptions();
	}

	@Test
	void theFlatSpringAiKeysSetTheDefaultsWithoutAWarning(CapturedOutput output) throws IOException {
		runner()
			.withPropertyValues("spring.ai.llcuda.chat.temperature=0.3", "spring.ai.llcuda.chat.top-k=7",
					"spring.ai.llcuda.chat.max-tokens=33", "spring.ai.llcuda.chat.stop-sequences=END,STOP",
					"spring.ai.llcuda.chat.seed=5")
			.run(context -> {
				LlcudaChatOptions options = defaults(context);
				assertThat(options.getTemperature()).isEqualTo(0.3);
				assertThat(options.getTopK()).isEqualTo(7);
				assertThat(options.getMaxTokens()).isEqualTo(33);
				assertThat(options.getStopSequences()).containsExactly("END", "STOP");
				assertThat(options.getSeed()).isEqualTo(5L);
				assertThat(options.getTopP()).isEqualTo(0.95);
			});
		assertThat(output).doesNotContain(DEPRECATION);
	}

	@Test
	void theDeprecatedKeysStillWorkWithAWarningAndTheNewKeysWin(CapturedOutput output) throws IOException {
		runner()
			.withPropertyValues("llcuda.chat.options.temperature=0.2", "llcuda.chat.options.max-tokens=40",
					"spring.ai.llcuda.chat.max-tokens=50")
			.run(context -> {
				LlcudaChatOptions options = defaults(context);
				assertThat(options.getTemperature()).isEqualTo(0.2);
				assertThat(options.getMaxTokens()).isEqualTo(50);
			});
		assertThat(output).contains(DEPRECATION).contains("spring.ai.llcuda.chat.*");
	}

	@Test
	void theDefaultChatModelIsChosenUnderTheNewKeyAndStillUnderTheDeprecatedOne() throws IOException {
		runner().withPropertyValues("spring.ai.llcuda.chat.model=qwen")
			.run(context -> assertThat(defaults(context).getModel()).isEqualTo("qwen"));
		runner().withPropertyValues("llcuda.chat.options.model=llama")
			.run(context -> assertThat(defaults(context).getModel()).isEqualTo("llama"));
		runner().withPropertyValues("llcuda.chat.options.model=llama", "spring.ai.llcuda.chat.model=qwen")
			.run(context -> assertThat(defaults(context).getModel()).isEqualTo("qwen"));
	}

	@Test
	void anotherChatModelNamedInSpringAiModelChatSwitchesItOff() throws IOException {
		runner().withPropertyValues("spring.ai.model.chat=none")
			.run(context -> assertThat(context).doesNotHaveBean(ChatModel.class)
				.doesNotHaveBean(LlcudaChatProperties.class));
	}

}
