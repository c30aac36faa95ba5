package dev.llcuda.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import dev.llcuda.actuate.ModelRegistryEndpoint.ErrorDescriptor;
import dev.llcuda.actuate.ModelRegistryEndpoint.ModelDescriptor;
import dev.llcuda.actuate.ModelRegistryEndpoint.ScanDescriptor;
import dev.llcuda.hub.HubDownloader;
import dev.llcuda.registry.GgufModelInspector;
import dev.llcuda.registry.ModelPulls;
import dev.llcuda.registry.ModelFolders;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.registry.RegistryDatabase;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ModelActivator;
import dev.llcuda.runtime.ModelAdapters;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.TestAdapters;
import dev.llcuda.runtime.TestServing;

/**
 * Refused writes answer 4xx with a body naming the problem; scans report each refused
 * file.
 */
class ModelRegistryEndpointTests {

	@TempDir
	Path temp;

	private Path models;

	private ModelRegistryEndpoint endpoint;

	@BeforeEach
	void createEndpoint() throws IOException {
		this.models = Files.createDirectories(this.temp.resolve("models"));
		ModelRegistry registry = new ModelRegistry(RegistryDatabase.h2File(this.temp.resolve("db/registry")),
				new ModelFolders(List.of(this.models)), new GgufModelInspector(), new IdleActivator(),
				Clock.systemUTC(), Duration.ofSeconds(5));
		this.endpoint = new ModelRegistryEndpoint(registry,
				new ModelPulls(registry,
						new HubDownloader(URI.create("http://127.0.0.1:1"), null, Duration.ZERO,
								HubDownloader.DEFAULT_READ_TIMEOUT),
						Clock.systemUTC()),
				ModelSet.of(new LlcudaRuntime((file, progress) -> {
					throw new IllegalStateException("no engine in this test");
				}, null, null, Duration.ZERO)));
	}

	@Test
	void registeringACorruptFileIsABadRequestNamingTheProblem() throws IOException {
		Path corrupt = Files.writeString(this.models.resolve("corrupt.gguf"), "not a model");
		WebEndpointResponse<Object> response = this.endpoint.register(corrupt.toString(), null, null, null, null, null,
				null);
		assertThat(response.getStatus()).isEqualTo(400);
		assertThat(response.getBody()).isInstanceOfSatisfying(ErrorDescriptor.class,
				error -> assertThat(error.error()).contains("corrupt.gguf"));
	}

	@Test
	void aScanRegistersTheGoodFilesAndReportsTheCorruptOnes() throws IOException {
		Files.copy(TestServing.MICRO_LLAMA, this.models.resolve("good.gguf"));
		Files.writeString(this.models.resolve("corrupt.gguf"), "not a model");
		Files.write(this.models.resolve("empty.gguf"), new byte[0]);
		WebEndpointResponse<Object> response = this.endpoint.register(null, null, null, null, null, null, null);
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getBody()).isInstanceOfSatisfying(ScanDescriptor.class, scan -> {
			assertThat(scan.added()).extracting(ModelRegistryEndpoint.ModelDescriptor::path)
				.singleElement()
				.asString()
				.endsWith("good.gguf");
			assertThat(scan.refused()).extracting(ModelRegistryEndpoint.RefusedDescriptor::path)
				.containsExactly(this.models.resolve("corrupt.gguf").toString(),
						this.models.resolve("empty.gguf").toString());
			assertThat(scan.refused()).allSatisfy(refused -> assertThat(refused.reason()).isNotBlank());
		});
	}

	@Test
	void activatingAnUnknownModelIsABadRequest() {
		WebEndpointResponse<Object> response = this.endpoint.act(42, "activate", null, null, null);
		assertThat(response.getStatus()).isEqualTo(400);
		assertThat(response.getBody()).isInstanceOfSatisfying(ErrorDescriptor.class,
				error -> assertThat(error.error()).contains("no registered model with id 42"));
	}

	@Test
	void aFieldTheChosenWriteDoesNotUseIsRefusedNamingItAndNothingHappens() throws IOException {
		Path micro = Files.copy(TestServing.MICRO_LLAMA, this.models.resolve("micro.gguf"));
		assertRefused(this.endpoint.register(micro.toString(), null, null, null, null, null, "qwen"), "\"model\"",
				"registering a \"path\"");
		assertRefused(this.endpoint.register(micro.toString(), this.models.toString(), null, null, null, null, null),
				"\"scan\"");
		assertRefused(this.endpoint.register(null, null, null, null, "x.gguf", "main", null), "\"file\", \"revision\"",
				"a scan");
		assertRefused(this.endpoint.register(micro.toString(), null, "activate", null, null, null, null),
				"unknown action 'activate'");
		assertRefused(this.endpoint.register(micro.toString(), null, "unload", null, null, null, null), "\"path\"",
				"\"action\": \"unload\"");
		assertRefused(this.endpoint.register(micro.toString(), null, null, "owner/repo", "x.gguf", null, "qwen"),
				"\"path\", \"model\"", "\"pull\"");
		assertThat(this.endpoint.models().models()).isEmpty();
		long id = ((ModelDescriptor) this.endpoint.register(micro.toString(), null, null, null, null, null, null)
			.getBody()).id();
		assertRefused(this.endpoint.act(id, "verify", "qwen", null, "1"), "\"model\", \"lora\"",
				"\"action\": \"verify\"");
	}

	private static void assertRefused(WebEndpointResponse<Object> response, String... words) {
		assertThat(response.getStatus()).isEqualTo(400);
		assertThat(response.getBody()).isInstanceOfSatisfying(ErrorDescriptor.class,
				error -> assertThat(error.error()).contains(words));
	}

	/**
	 * A GGUF LoRA adapter of every layer's q projection ([256, 256]) for
	 * {@code architecture}.
	 */
	private Path adapter(String name, String architecture) throws IOException {
		return TestAdapters.qProjection(this.models.resolve(name), architecture, 256, 0f);
	}

	@Test
	void anAdapterRegistersAsOneAndActivatesWithItsModelRecordedWhileOneOfAnotherArchitectureIsRefusedNamingBoth()
			throws IOException {
		Files.copy(TestServing.MICRO_LLAMA, this.models.resolve("micro.gguf"));
		long model = ((ModelDescriptor) this.endpoint
			.register(this.models.resolve("micro.gguf").toString(), null, null, null, null, null, null)
			.getBody()).id();
		ModelDescriptor llama = (ModelDescriptor) this.endpoint
			.register(adapter("llama-lora.gguf", "llama").toString(), null, null, null, null, null, null)
			.getBody();
		ModelDescriptor qwen = (ModelDescriptor) this.endpoint
			.register(adapter("qwen-lora.gguf", "qwen2").toString(), null, null, null, null, null, null)
			.getBody();
		assertThat(llama.kind()).isEqualTo("GGUF_ADAPTER");
		assertThat(llama.architecture()).isEqualTo("llama");
		assertThat(llama.sha256()).hasSize(64);

		WebEndpointResponse<Object> refused = this.endpoint.act(model, "activate", null, String.valueOf(qwen.id()),
				null);
		assertThat(refused.getStatus()).isEqualTo(400);
		assertThat(((ErrorDescriptor) refused.getBody()).error()).contains("qwen-lora.gguf", "micro.gguf", "qwen2");
		WebEndpointResponse<Object> adapterAlone = this.endpoint.act(llama.id(), "activate", null, null, null);
		assertThat(adapterAlone.getStatus()).isEqualTo(400);

		WebEndpointResponse<Object> activated = this.endpoint.act(model, "activate", null, String.valueOf(llama.id()),
				null);
		assertThat(activated.getStatus()).isEqualTo(200);
		assertThat(this.endpoint.models().activations()).singleElement().satisfies(activation -> {
			assertThat(activation.id()).isEqualTo(model);
			assertThat(activation.adapters()).containsExactly(llama.id());
		});
		assertThat(this.endpoint.remove(llama.id()).getStatus()).isEqualTo(409);
	}

	private static final class IdleActivator implements ModelActivator {

		@Override
		public void activate(Path file) {
		}

		@Override
		public void activate(Path file, ModelAdapters adapters) {
		}

		@Override
		public void unload() {
		}

		@Override
		public Optional<Path> servedFile() {
			return Optional.empty();
		}

		@Override
		public Optional<String> servedFileChange() {
			return Optional.empty();
		}

	}

}
