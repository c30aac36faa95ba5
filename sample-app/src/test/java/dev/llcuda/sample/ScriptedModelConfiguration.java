package dev.llcuda.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import org.springframework.beans.factory.annotation.Value;
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
 * Serves {@link ScriptedService#MODEL} on the CPU through the native library with the
 * chat template of a {@link ChatScript} (property {@value #SCRIPT_PROPERTY}) and
 * {@link ScriptedReplies} choosing its answers in that template's tool-call syntax.
 */
@TestConfiguration(proxyBeanMethods = false)
class ScriptedModelConfiguration {

	/**
	 * Names the {@link ChatScript} served (Qwen 2.5's by default); each script gets its
	 * own application context.
	 */
	static final String SCRIPT_PROPERTY = "scripted.chat-script";

	static final String WEATHER_RESULT = "sunny, 21 degrees in Zurich";

	static final String FALLBACK = "Hello there.";

	@Bean
	ModelLoader scriptedModelLoader(NativeRuntime nativeRuntime,
			@Value("${" + SCRIPT_PROPERTY + ":QWEN}") ChatScript script) {
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
				template = ChatTemplate.compile(script.template().getFileName().toString(),
						Files.readString(script.template()));
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
					}), tokenizer, script.rules(), FALLBACK);
			EngineConfig config = new EngineConfig(8, 256, 16, true, tokenizer.endOfGenerationIds(),
					new TokenizerDecoder(tokenizer), EngineListener.NONE);
			return new ServingModel(file, spec, tokenizer, template, Engine.start(runner, config), blocks, blockSize,
					model.weightBytes(), identity);
		};
	}

}
