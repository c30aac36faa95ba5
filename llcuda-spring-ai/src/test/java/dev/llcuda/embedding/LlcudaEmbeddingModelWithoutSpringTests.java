package dev.llcuda.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.ai.embedding.EmbeddingResponse;

import dev.llcuda.engine.EmbeddingEngine;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;

/**
 * {@link LlcudaEmbeddingModel} built with its builder over an {@link EmbeddingEngine} on
 * the real native library (CPU), with no Spring context: the synthetic bert model of
 * {@code llcuda-synth --shape bert-micro}; its vectors are the engine's.
 */
class LlcudaEmbeddingModelWithoutSpringTests {

	private static final Path TESTDATA = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"));

	private static final Path GENERATOR = Path.of("..", "llcuda-native", "target", "native-build", "llcuda-synth");

	@TempDir
	static Path dir;

	private static Backend backend;

	private static EmbeddingEngine engine;

	@BeforeAll
	static void openModel() throws Exception {
		Path model = dir.resolve("bert-micro-F16.gguf");
		Process process = new ProcessBuilder(GENERATOR.toString(), "--shape", "bert-micro", "--type", "F16", "--vocab",
				TESTDATA.resolve("vocab").resolve("ggml-vocab-bert-bge.gguf").toString(), "--out", model.toString())
			.redirectErrorStream(true)
			.start();
		String log = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(log).isZero();
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
		engine = EmbeddingEngine.open(backend, model, EmbeddingEngine.Options.defaults());
	}

	@AfterAll
	static void closeModel() {
		engine.close();
		backend.close();
	}

	@Test
	void anEmbeddingModelBuiltWithoutSpringGivesTheEnginesVectors() {
		LlcudaEmbeddingModel embeddings = LlcudaEmbeddingModel.builder().provider(() -> engine).build();
		List<String> texts = List.of("The cat sat on the mat.", "GPUs run models.");

		EmbeddingResponse response = embeddings.embedForResponse(texts);

		EmbeddingEngine.Result expected = engine.embed(texts);
		assertThat(response.getResults()).hasSize(2);
		for (int i = 0; i < texts.size(); i++) {
			assertThat(response.getResults().get(i).getOutput()).containsExactly(expected.vectors().get(i));
		}
		assertThat(embeddings.dimensions()).isEqualTo(engine.dimensions());
		assertThat(response.getMetadata().getModel()).isEqualTo(engine.spec().name());
		assertThat(response.getMetadata().getUsage().getPromptTokens()).isEqualTo(expected.tokens());
	}

}
