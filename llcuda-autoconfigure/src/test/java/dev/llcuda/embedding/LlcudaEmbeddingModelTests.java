package dev.llcuda.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.observation.EmbeddingModelObservationContext;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.autoconfigure.LlcudaAutoConfiguration;
import dev.llcuda.autoconfigure.LlcudaEmbeddingAutoConfiguration;

/**
 * The auto-configured {@link EmbeddingModel} on the real native library and the synthetic
 * bert model of {@code llcuda-synth --shape bert-micro} (256 dimensions, 128 positions).
 */
class LlcudaEmbeddingModelTests {

	private static final Path TESTDATA = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"));

	private static final Path GENERATOR = Path.of("..", "llcuda-native", "target", "native-build", "llcuda-synth");

	@TempDir
	static Path dir;

	private static Path model;

	@BeforeAll
	static void writeModel() throws IOException, InterruptedException {
		model = dir.resolve("bert-micro-F16.gguf");
		Process process = new ProcessBuilder(GENERATOR.toString(), "--shape", "bert-micro", "--type", "F16", "--vocab",
				TESTDATA.resolve("vocab").resolve("ggml-vocab-bert-bge.gguf").toString(), "--out", model.toString())
			.redirectErrorStream(true)
			.start();
		String log = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(log).isZero();
		assertThat(Files.exists(model)).isTrue();
	}

	private final List<Observation.Context> observed = new CopyOnWriteArrayList<>();

	private ApplicationContextRunner runner() {
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new ObservationHandler<>() {
			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

			@Override
			public void onStop(Observation.Context context) {
				observed.add(context);
			}
		});
		return new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaEmbeddingAutoConfiguration.class))
			.withBean(ObservationRegistry.class, () -> registry)
			.withPropertyValues("llcuda.embedding.path=" + model, "llcuda.embedding.cpu-threads=2");
	}

	@Test
	void theAutoConfiguredModelEmbedsManyDocumentsWithUsageAndAnObservation() {
		runner().run(context -> {
			EmbeddingModel embeddings = context.getBean(EmbeddingModel.class);
			assertThat(embeddings).isInstanceOf(LlcudaEmbeddingModel.class);
			assertThat(embeddings.dimensions()).isEqualTo(256);
			List<String> texts = List.of("what is retrieval augmented generation", "llcuda runs models on one gpu",
					"what is retrieval augmented generation");
			List<float[]> vectors = embeddings.embed(texts);
			assertThat(vectors).hasSize(3);
			assertThat(vectors.get(0)).isEqualTo(vectors.get(2)).isNotEqualTo(vectors.get(1)).hasSize(256);
			double norm = 0;
			for (float x : vectors.get(1)) {
				norm += x * x;
			}
			assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
			assertThat(embeddings.embed(new Document("llcuda runs models on one gpu"))).isEqualTo(vectors.get(1));

			EmbeddingResponse response = embeddings.call(new EmbeddingRequest(texts, null));
			assertThat(response.getResults()).extracting(r -> r.getIndex()).containsExactly(0, 1, 2);
			assertThat(response.getMetadata().getModel()).isEqualTo("synthetic-bert-micro-F16");
			assertThat(response.getMetadata().getUsage().getPromptTokens()).isGreaterThan(texts.size() * 2);
			assertThat(observed).filteredOn(c -> c instanceof EmbeddingModelObservationContext)
				.isNotEmpty()
				.allSatisfy(c -> assertThat(c.getName()).isEqualTo("gen_ai.client.operation"));
		});
	}

	@Test
	void requestsForAnotherModelOrOtherDimensionsOrOverlongTextsAreRefused() {
		runner().run(context -> {
			EmbeddingModel embeddings = context.getBean(EmbeddingModel.class);
			assertThatThrownBy(() -> embeddings.call(new EmbeddingRequest(List.of("x"),
					EmbeddingOptions.builder().model("text-embedding-3-small").build())))
				.isInstanceOf(NonTransientAiException.class)
				.hasCauseInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("the model 'text-embedding-3-small' does not exist here");
			assertThatThrownBy(() -> embeddings
				.call(new EmbeddingRequest(List.of("x"), EmbeddingOptions.builder().dimensions(64).build())))
				.hasMessageContaining("dimensions 64 are not supported");
			assertThatThrownBy(() -> embeddings.embed("word ".repeat(200))).isInstanceOf(NonTransientAiException.class)
				.hasCauseInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("more than the model's context of 128");
		});
		runner().withPropertyValues("llcuda.embedding.overflow=truncate")
			.run(context -> assertThat(context.getBean(EmbeddingModel.class).embed("word ".repeat(200))).hasSize(256));
	}

	@Test
	void springAiModelEmbeddingNoneOrNoPathLeavesNoEmbeddingModel() {
		runner().withPropertyValues("spring.ai.model.embedding=none")
			.run(context -> assertThat(context).doesNotHaveBean(EmbeddingModel.class)
				.doesNotHaveBean(LlcudaEmbeddingModel.class));
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaEmbeddingAutoConfiguration.class))
			.run(context -> assertThat(context).doesNotHaveBean(EmbeddingModel.class));
	}

}
