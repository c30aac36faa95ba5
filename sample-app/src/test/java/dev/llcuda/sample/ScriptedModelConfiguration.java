package dev.llcuda.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import dev.llcuda.engine.Engine;
import dev.llcuda.engine.EngineConfig;
import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.FileIdentity;
import dev.llcuda.engine.KvType;
import dev.llcuda.engine.NativeStepRunner;
import dev.llcuda.engine.TokenizerDecoder;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.runtime.ModelLoader;
import dev.llcuda.runtime.NativeRuntime;
import dev.llcuda.runtime.ServingModel;
import dev.llcuda.template.ChatTemplate;
import dev.llcuda.template.TemplateException;
import dev.llcuda.tokenizer.Tokenizer;

/**
 * Serves {@link ScriptedService#MODEL} on the CPU through the native library with Qwen
 * 2.5's chat template (Hermes {@code <tool_call>} syntax) and {@link ScriptedReplies}
 * choosing its answers.
 */
@TestConfiguration(proxyBeanMethods = false)
class ScriptedModelConfiguration {

	static final Path QWEN_TEMPLATE = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"),
			"templates", "Qwen-Qwen2.5-7B-Instruct.jinja");

	static final String WEATHER_RESULT = "sunny, 21 degrees in Zurich";

	static final List<ScriptedReplies.Rule> RULES = List.of(
			new ScriptedReplies.Rule(WEATHER_RESULT, "The tool says it is sunny, 21 degrees."),
			new ScriptedReplies.Rule("\"name\": \"currentWeather\"",
					"<tool_call>\n{\"name\": \"currentWeather\", \"arguments\": {\"city\": \"Zurich\"}}\n</tool_call>"),
			new ScriptedReplies.Rule("Paris: 18C", "Paris has 18C and Rome 25C."),
			new ScriptedReplies.Rule("\"name\": \"get_weather\"",
					"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
							+ "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}\n</tool_call>"));

	static final String FALLBACK = "Hello there.";

	@Bean
	ModelLoader scriptedModelLoader(NativeRuntime nativeRuntime) {
		NativeLibrary library = nativeRuntime.library().orElseThrow();
		return (file, progress) -> {
			ModelSpec spec;
			Tokenizer tokenizer;
			ChatTemplate template;
			FileIdentity identity;
			try (GgufFile gguf = GgufFile.open(file)) {
				identity = FileIdentity.of(file);
				spec = ModelSpec.from(gguf);
				tokenizer = Tokenizer.fromGguf(gguf.metadata());
				template = ChatTemplate.compile(QWEN_TEMPLATE.getFileName().toString(),
						Files.readString(QWEN_TEMPLATE));
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			catch (TemplateException e) {
				throw new IllegalStateException(e);
			}
			Backend backend = library.cpuBackend(2);
			Model model = backend.loadModel(file, spec);
			int blocks = 128;
			int blockSize = 16;
			ScriptedReplies runner = new ScriptedReplies(
					NativeStepRunner.create(model, blocks, blockSize, KvType.F16, () -> {
						model.close();
						backend.close();
					}), tokenizer, RULES, FALLBACK);
			EngineConfig config = new EngineConfig(8, 256, 16, true, tokenizer.endOfGenerationIds(),
					new TokenizerDecoder(tokenizer), EngineListener.NONE);
			return new ServingModel(file, spec, tokenizer, template, Engine.start(runner, config), blocks, blockSize,
					model.weightBytes(), identity);
		};
	}

}
