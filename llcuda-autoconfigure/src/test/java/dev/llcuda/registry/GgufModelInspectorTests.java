package dev.llcuda.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufModelInspectorTests {

	private static final Path MODELS = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"),
			"models");

	@Test
	void microLlamaFactsComeFromItsHeader() throws IOException {
		ModelFacts facts = new GgufModelInspector().inspect(MODELS.resolve("micro-llama-Q8_0.gguf"));
		assertThat(facts.architecture()).isEqualTo("llama");
		assertThat(facts.quantization()).isEqualTo("Q8_0");
		assertThat(facts.contextLength()).isEqualTo(256);
		// 512x256 embeddings + 512x256 output + 2 layers x (4 x 256x256 attention with 2
		// of 4 heads for K/V:
		// 256x256 q, 256x128 k, 256x128 v, 256x256 o; 3 x 256x512 FFN; 2 norms of 256) +
		// output norm 256
		long layer = 256L * 256 + 256 * 128 * 2 + 256 * 256 + 3L * 256 * 512 + 2 * 256;
		assertThat(facts.parameterCount()).isEqualTo(2L * 512 * 256 + 2 * layer + 256);
	}

	@Test
	void aFileThatIsNotGgufIsRefusedWithItsName(@TempDir Path temp) throws IOException {
		Path bogus = Files.writeString(temp.resolve("bogus.gguf"), "not a model");
		assertThatThrownBy(() -> new GgufModelInspector().inspect(bogus)).hasMessageContaining("bogus.gguf");
	}

}
