package dev.llcuda.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.llcuda.runtime.ModelActivator;

class ModelRegistryTests {

	/** SHA-256 of "abc" (FIPS 180-2 test vector). */
	private static final String SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

	private static final ModelFacts FACTS = new ModelFacts("tiny", "llama", "Q8_0", 1_234_567, 256);

	private static final Instant NOW = Instant.parse("2026-11-27T05:00:00Z");

	@TempDir
	Path temp;

	private Path models;

	private final List<String> activations = new ArrayList<>();

	/** Files the activator hashed, in order. */
	private final List<String> hashed = new ArrayList<>();

	private final RecordingActivator activator = new RecordingActivator();

	private ModelRegistry registry;

	@BeforeEach
	void createRegistry() throws IOException {
		this.models = Files.createDirectories(this.temp.resolve("models"));
		this.registry = new ModelRegistry(RegistryDatabase.h2File(this.temp.resolve("db/registry")),
				new ModelFolders(List.of(this.models)), file -> FACTS, this.activator, Clock.fixed(NOW, ZoneOffset.UTC),
				Duration.ofSeconds(5));
	}

	@Test
	void registerRecordsChecksumSizeFactsAndTime() throws IOException {
		Path file = write("a.gguf", "abc");
		ModelRecord model = this.registry.register(file);
		assertThat(model.path()).isEqualTo(file.toRealPath());
		assertThat(model.sha256()).isEqualTo(SHA256_ABC);
		assertThat(model.sizeBytes()).isEqualTo(3);
		assertThat(model.facts()).isEqualTo(FACTS);
		assertThat(model.status()).isEqualTo(ModelStatus.AVAILABLE);
		assertThat(model.registeredAt()).isEqualTo(NOW);
		assertThat(this.registry.register(file).id()).isEqualTo(model.id());
	}

	@Test
	void registrationVerificationAndActivationHashTheFileThroughTheActivatorWhichReportsProgress() throws IOException {
		long id = this.registry.register(write("a.gguf", "abc")).id();
		this.registry.verify(id);
		this.registry.activate(id);
		assertThat(this.hashed).containsExactly("a.gguf", "a.gguf", "a.gguf");
		assertThat(this.activations).containsExactly("load a.gguf");
	}

	@Test
	void aNamedModelsActivationSurvivesARestartOnTheSameDatabaseUntilItIsUnloaded() throws IOException {
		long id = this.registry.register(write("b.gguf", "abc")).id();
		RecordingActivator named = new RecordingActivator();
		this.registry.activate(id, "qwen", named);
		assertThat(this.registry.active()).isEmpty();

		RecordingActivator restarted = new RecordingActivator();
		ModelRegistry afterRestart = restartedRegistry();
		afterRestart.resumeSlots(slot -> {
			if (!slot.equals("qwen")) {
				throw new IllegalArgumentException("no model named " + slot);
			}
			return restarted;
		});
		assertThat(restarted.servedFile()).contains(this.models.resolve("b.gguf").toRealPath());
		assertThat(this.activations).containsExactly("load b.gguf", "load b.gguf");

		afterRestart.unload("qwen", restarted);
		RecordingActivator again = new RecordingActivator();
		restartedRegistry().resumeSlots(slot -> again);
		assertThat(again.servedFile()).isEmpty();
	}

	private ModelRegistry restartedRegistry() {
		return new ModelRegistry(RegistryDatabase.h2File(this.temp.resolve("db/registry")),
				new ModelFolders(List.of(this.models)), file -> FACTS, this.activator, Clock.fixed(NOW, ZoneOffset.UTC),
				Duration.ofSeconds(5));
	}

	@Test
	void registerRefusesFilesOutsideTheModelFolders() throws IOException {
		Path outside = Files.writeString(this.temp.resolve("outside.gguf"), "abc");
		assertThatThrownBy(() -> this.registry.register(this.models.resolve("../outside.gguf")))
			.hasMessageContaining("outside.gguf is outside the model folders");
		Path link = Files.createSymbolicLink(this.models.resolve("link.gguf"), outside);
		assertThatThrownBy(() -> this.registry.register(link)).hasMessageContaining("is outside the model folders")
			.hasMessageNotContaining(outside.toString());
		assertThat(this.registry.models()).isEmpty();
	}

	@Test
	void aPathOutsideTheModelFoldersGetsTheSameAnswerWhetherOrNotItExists() throws IOException {
		Path existing = Files.writeString(this.temp.resolve("secret.gguf"), "abc");
		Path missing = this.temp.resolve("missing.gguf");
		String existingAnswer = refusal(existing).replace(existing.toString(), "FILE");
		assertThat(existingAnswer).isEqualTo(refusal(missing).replace(missing.toString(), "FILE"))
			.contains("is outside the model folders");
	}

	private String refusal(Path file) {
		return org.assertj.core.api.Assertions.catchThrowable(() -> this.registry.register(file)).getMessage();
	}

	@Test
	void scanRegistersOnlyNewGgufFiles() throws IOException {
		write("a.gguf", "abc");
		write("notes.txt", "x");
		assertThat(this.registry.scan(this.models).added()).hasSize(1);
		write("b.gguf", "abcd");
		assertThat(this.registry.scan(this.models).added()).extracting(m -> m.path().getFileName().toString())
			.containsExactly("b.gguf");
		assertThat(this.registry.models()).hasSize(2);
	}

	@Test
	void verifyRecordsATamperedFileAndActivationIsRefused() throws IOException {
		Path file = write("a.gguf", "abc");
		long id = this.registry.register(file).id();
		Files.writeString(file, "abd");
		ModelRecord verified = this.registry.verify(id);
		assertThat(verified.status()).isEqualTo(ModelStatus.CHECKSUM_MISMATCH);
		assertThat(verified.statusMessage()).contains("expected SHA-256 " + SHA256_ABC);
		assertThatThrownBy(() -> this.registry.activate(id)).hasMessageContaining("cannot be activated");
		assertThat(this.activations).isEmpty();
	}

	@Test
	void activateSwitchesTheActiveModel() throws IOException {
		long first = this.registry.register(write("a.gguf", "abc")).id();
		long second = this.registry.register(write("b.gguf", "abcd")).id();
		this.registry.activate(first);
		ModelRecord active = this.registry.activate(second);
		assertThat(active.status()).isEqualTo(ModelStatus.ACTIVE);
		assertThat(active.activatedAt()).isEqualTo(NOW);
		assertThat(this.registry.find(first).orElseThrow().status()).isEqualTo(ModelStatus.AVAILABLE);
		assertThat(this.registry.active().orElseThrow().id()).isEqualTo(second);
		assertThat(this.activations).containsExactly("load a.gguf", "load b.gguf");
	}

	@Test
	void failedLoadMarksTheModelFailedWithTheReason() throws IOException {
		long id = this.registry.register(write("broken.gguf", "abc")).id();
		assertThatThrownBy(() -> this.registry.activate(id)).hasMessage("broken.gguf: unsupported tensor type");
		ModelRecord model = this.registry.find(id).orElseThrow();
		assertThat(model.status()).isEqualTo(ModelStatus.FAILED);
		assertThat(model.statusMessage()).isEqualTo("broken.gguf: unsupported tensor type");
	}

	@Test
	void unloadAndRemove() throws IOException {
		long id = this.registry.register(write("a.gguf", "abc")).id();
		this.registry.activate(id);
		assertThatThrownBy(() -> this.registry.remove(id)).hasMessageContaining("unload it before removing it");
		this.registry.unload();
		assertThat(this.activations).containsExactly("load a.gguf", "unload");
		this.registry.remove(id);
		assertThat(this.registry.models()).isEmpty();
	}

	@Test
	void recordsSurviveARestart() throws IOException {
		long id = this.registry.register(write("a.gguf", "abc")).id();
		ModelRegistry reopened = new ModelRegistry(RegistryDatabase.h2File(this.temp.resolve("db/registry")),
				new ModelFolders(List.of(this.models)), file -> FACTS, this.activator, Clock.systemUTC(),
				Duration.ofSeconds(5));
		assertThat(reopened.find(id).orElseThrow().sha256()).isEqualTo(SHA256_ABC);
	}

	@Test
	void scanRegistersEveryReadableFileAndReportsTheOthersOneByOne() throws IOException {
		ModelRegistry registry = new ModelRegistry(RegistryDatabase.h2File(this.temp.resolve("db/scan")),
				new ModelFolders(List.of(this.models)), file -> {
					if (file.getFileName().toString().startsWith("corrupt")) {
						throw new IOException(file.getFileName() + ": not a GGUF file (bad magic)");
					}
					return FACTS;
				}, this.activator, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(5));
		write("a.gguf", "abc");
		write("corrupt-1.gguf", "x");
		write("corrupt-2.gguf", "y");
		write("z.gguf", "abcd");
		ScanResult scan = registry.scan(this.models);
		assertThat(scan.added()).extracting(m -> m.path().getFileName().toString()).containsExactly("a.gguf", "z.gguf");
		assertThat(scan.refused()).extracting(r -> r.file().getFileName().toString())
			.containsExactly("corrupt-1.gguf", "corrupt-2.gguf");
		assertThat(scan.refused().get(0).reason()).contains("corrupt-1.gguf: not a GGUF file (bad magic)");
	}

	@Test
	void aRestartedProcessLoadsTheModelTheRegistryMarksActive() throws IOException {
		long id = this.registry.register(write("a.gguf", "abc")).id();
		this.registry.activate(id);
		this.activator.served = null; // the process died: nothing is loaded in the new
										// one
		ModelRegistry reopened = new ModelRegistry(RegistryDatabase.h2File(this.temp.resolve("db/registry")),
				new ModelFolders(List.of(this.models)), file -> FACTS, this.activator, Clock.systemUTC(),
				Duration.ofSeconds(5));
		assertThat(reopened.resumeActive().orElseThrow().id()).isEqualTo(id);
		assertThat(this.activations).containsExactly("load a.gguf", "load a.gguf");
		assertThat(reopened.active().orElseThrow().id()).isEqualTo(id);
		// a process already serving keeps its model
		assertThat(reopened.resumeActive()).isEmpty();
		assertThat(this.activations).hasSize(2);
	}

	@Test
	void anActiveModelThatCannotBeLoadedAtStartUpStaysActiveWithTheReason() throws IOException {
		Path file = write("a.gguf", "abc");
		long id = this.registry.register(file).id();
		this.registry.activate(id);
		this.activator.served = null;
		Files.writeString(file, "abd");
		ModelRecord resumed = this.registry.resumeActive().orElseThrow();
		assertThat(resumed.status()).isEqualTo(ModelStatus.ACTIVE);
		assertThat(resumed.statusMessage()).startsWith("not loaded at start-up: ")
			.contains("expected SHA-256 " + SHA256_ABC);
		assertThat(this.activations).containsExactly("load a.gguf");
	}

	@Test
	void aFailedActivationLeavesTheModelServingBeforeActive() throws IOException {
		long good = this.registry.register(write("a.gguf", "abc")).id();
		long broken = this.registry.register(write("broken.gguf", "abcd")).id();
		this.registry.activate(good);
		assertThatThrownBy(() -> this.registry.activate(broken)).hasMessage("broken.gguf: unsupported tensor type");
		assertThat(this.registry.active().orElseThrow().id()).isEqualTo(good);
		assertThat(this.registry.find(broken).orElseThrow().status()).isEqualTo(ModelStatus.FAILED);
	}

	@Test
	void aChangeOfTheServedFileIsReportedOnTheActiveModel() throws IOException {
		long id = this.registry.register(write("a.gguf", "abc")).id();
		this.registry.activate(id);
		this.activator.change = "size 3 -> 0 bytes";
		ModelRecord active = this.registry.active().orElseThrow();
		assertThat(active.status()).isEqualTo(ModelStatus.ACTIVE);
		assertThat(active.statusMessage()).contains("the file changed since it was loaded (size 3 -> 0 bytes)")
			.contains("serving continues");
	}

	@Test
	void verifyingTheActiveModelWhoseFileChangedKeepsItActiveAndRefusesToLoadTheFileAgain() throws IOException {
		Path file = write("a.gguf", "abc");
		long id = this.registry.register(file).id();
		this.registry.activate(id);
		Files.writeString(file, "abd");
		ModelRecord verified = this.registry.verify(id);
		assertThat(verified.status()).isEqualTo(ModelStatus.ACTIVE);
		assertThat(verified.statusMessage()).contains("expected SHA-256 " + SHA256_ABC)
			.contains("serving continues from the copy loaded");
		assertThatThrownBy(() -> this.registry.activate(id)).hasMessageContaining("cannot be activated");
		assertThat(this.activations).containsExactly("load a.gguf");
	}

	private Path write(String name, String content) throws IOException {
		return Files.writeString(this.models.resolve(name), content, StandardCharsets.UTF_8);
	}

	private final class RecordingActivator implements ModelActivator {

		private @Nullable Path served;

		private @Nullable String change;

		@Override
		public void activate(Path file) {
			if (file.getFileName().toString().equals("broken.gguf")) {
				throw new IllegalStateException("broken.gguf: unsupported tensor type");
			}
			ModelRegistryTests.this.activations.add("load " + file.getFileName());
			this.served = file;
		}

		@Override
		public String sha256(Path file) throws IOException {
			ModelRegistryTests.this.hashed.add(file.getFileName().toString());
			return ModelActivator.super.sha256(file);
		}

		@Override
		public void unload() {
			ModelRegistryTests.this.activations.add("unload");
			this.served = null;
		}

		@Override
		public Optional<Path> servedFile() {
			return Optional.ofNullable(this.served);
		}

		@Override
		public Optional<String> servedFileChange() {
			return Optional.ofNullable(this.change);
		}

	}

}
