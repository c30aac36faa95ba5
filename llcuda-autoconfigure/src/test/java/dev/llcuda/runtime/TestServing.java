package dev.llcuda.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;

import dev.llcuda.engine.Engine;
import dev.llcuda.engine.EngineConfig;
import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.FileIdentity;
import dev.llcuda.engine.TokenizerDecoder;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.template.ChatTemplate;
import dev.llcuda.template.TemplateFamily;
import dev.llcuda.tokenizer.Tokenizer;

/**
 * The shared micro-llama's spec, real tokenizer and the Llama 2 template, served by an
 * engine over a {@link ScriptedStepRunner}: everything of a served model except the
 * forward pass.
 */
public final class TestServing {

	public static final Path MICRO_LLAMA = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"),
			"models", "micro-llama-Q8_0.gguf");

	public static final int KV_BLOCKS = 64;

	public static final int KV_BLOCK_SIZE = 16;

	private TestServing() {
	}

	/**
	 * A model loader serving the micro model with the script; generation ends at
	 * {@code endAtLength}.
	 */
	public static ModelLoader loader(int endAtLength, long stepMillis, EngineListener listener) {
		return (file, progress) -> serve(file, endAtLength, stepMillis, listener);
	}

	public static ServingModel serve(Path file, int endAtLength, long stepMillis, EngineListener listener) {
		try (GgufFile gguf = GgufFile.open(file)) {
			ModelSpec spec = ModelSpec.from(gguf);
			Tokenizer tokenizer = Tokenizer.fromGguf(gguf.metadata());
			ScriptedStepRunner runner = new ScriptedStepRunner(spec.vocabSize(), spec.contextLength(), KV_BLOCKS,
					KV_BLOCK_SIZE, tokenizer.eos().getAsInt(), endAtLength, stepMillis);
			Set<Integer> end = tokenizer.endOfGenerationIds();
			EngineConfig config = new EngineConfig(4, 64, 8, true, end, new TokenizerDecoder(tokenizer), listener);
			Engine engine = Engine.start(runner, config);
			return new ServingModel(file, spec, tokenizer, ChatTemplate.defaultFor(TemplateFamily.LLAMA2), engine,
					KV_BLOCKS, KV_BLOCK_SIZE, 0, FileIdentity.of(file));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
