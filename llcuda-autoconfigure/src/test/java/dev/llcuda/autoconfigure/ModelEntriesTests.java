package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llcuda.runtime.ChatSlot;
import dev.llcuda.runtime.EngineLimits;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ModelSet;

/**
 * How the properties become one set of models: {@code llcuda.model},
 * {@code llcuda.embedding} and each {@code llcuda.models.NAME} (kind from the file), each
 * with its own limits; settings of the other kind and entries without a file are refused
 * naming the property. The native library is not loaded here, so nothing is opened.
 */
class ModelEntriesTests {

	private static final Path TESTDATA = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"));

	private static final Path LLAMA = TESTDATA.resolve("models").resolve("micro-llama-Q8_0.gguf");

	private static final Path QWEN = TESTDATA.resolve("models").resolve("micro-qwen2-Q8_0.gguf");

	private static final Path GENERATOR = Path.of("..", "llcuda-native", "target", "native-build", "llcuda-synth");

	@TempDir
	static Path temp;

	private static Path bert;

	@BeforeAll
	static void writeBert() throws IOException, InterruptedException {
		bert = temp.resolve("bert-micro-F16.gguf");
		Process process = new ProcessBuilder(GENERATOR.toString(), "--shape", "bert-micro", "--type", "F16", "--vocab",
				TESTDATA.resolve("vocab").resolve("ggml-vocab-bert-bge.gguf").toString(), "--out", bert.toString())
			.redirectErrorStream(true)
			.start();
		String log = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(log).isZero();
	}

	private static ApplicationContextRunner runner() throws IOException {
		Path library = Files.writeString(temp.resolve("libllcuda.so"), "tampered");
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LlcudaAutoConfiguration.class))
			.withPropertyValues("llcuda.native.library-path=" + library,
					"llcuda.native.library-sha256="
							+ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
					"llcuda.native.cache-dir=" + temp.resolve("cache"), "llcuda.gpu.enabled=false");
	}

	@Test
	void theSingleModelIsTheDefaultEntryAndNamedModelsOverrideTheEngineLimitsOneByOne() throws IOException {
		runner()
			.withPropertyValues("llcuda.model.path=" + LLAMA, "llcuda.engine.max-running-sequences=2",
					"llcuda.models.qwen.path=" + QWEN, "llcuda.models.qwen.kv-blocks=24",
					"llcuda.models.qwen.max-running-sequences=3", "llcuda.models.qwen.context-length=64")
			.run(context -> {
				ModelSet models = context.getBean(ModelSet.class);
				assertThat(models.chats()).extracting(ChatSlot::configuredName).containsExactly(null, "qwen");
				assertThat(models.chats()).extracting(slot -> slot.startupFile().getFileName())
					.containsExactly(LLAMA.getFileName(), QWEN.getFileName());
				assertThat(models.defaultChat()).isSameAs(context.getBean(LlcudaRuntime.class));
				assertThat(models.embeddings()).isEmpty();
				ModelEntries entries = context.getBean(ModelEntries.class);
				EngineLimits engine = context.getBean(EngineLimits.class);
				assertThat(entries.defaultChat().limits()).isEqualTo(engine);
				EngineLimits qwen = entries.chats().get(1).limits();
				assertThat(qwen.kvBlocks()).isEqualTo(24);
				assertThat(qwen.maxRunningSequences()).isEqualTo(3);
				assertThat(qwen.maxTokensPerStep()).isEqualTo(engine.maxTokensPerStep());
				assertThat(entries.chats().get(1).model().getContextLength()).isEqualTo(64);
			});
	}

	@Test
	void theFirstNamedChatModelIsTheDefaultWithoutLlcudaModelPath() throws IOException {
		runner().withPropertyValues("llcuda.models.qwen.path=" + QWEN, "llcuda.models.llama.path=" + LLAMA)
			.run(context -> assertThat(context.getBean(ModelSet.class).chats()).extracting(ChatSlot::configuredName)
				.containsExactly("qwen", "llama"));
		runner().run(context -> assertThat(context.getBean(ModelSet.class).chats()).singleElement()
			.satisfies(slot -> assertThat(slot.startupFile()).isNull()));
	}

	@Test
	void settingsOfTheOtherKindAndEntriesWithoutAFileAreRefusedNamingTheProperty() throws IOException {
		runner()
			.withPropertyValues("llcuda.models.bert.path=" + bert, "llcuda.models.bert.kv-blocks=8",
					"llcuda.models.bert.lora.x.path=/tmp/x.gguf", "llcuda.models.bert.adapters[0].path=/tmp/y.gguf")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("llcuda.models.bert is an embedding model")
				.hasMessageContaining("lora, adapters, kv-blocks apply to chat models only"));
		runner().withPropertyValues("llcuda.models.qwen.path=" + QWEN, "llcuda.models.qwen.overflow=truncate")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("llcuda.models.qwen is a chat model")
				.hasMessageContaining("overflow apply to embedding models only"));
		runner().withPropertyValues("llcuda.models.qwen.context-length=64")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("llcuda.models.qwen.path is not set"));
		runner().withPropertyValues("llcuda.models.gone.path=" + temp.resolve("gone.gguf"))
			.run(context -> assertThat(context).getFailure()
				.hasMessageContaining("llcuda.models.gone.path: cannot read the model"));
	}

	@Test
	void anEmbeddingModelIsOpenedWithTheSetAndNamesTheMissingLibrary() throws IOException {
		runner().withPropertyValues("llcuda.models.bert.path=" + bert)
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("cannot open the embedding model " + bert)
				.hasMessageContaining("the native library is not loaded"));
	}

}
