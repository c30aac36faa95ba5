package dev.llcuda.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.llcuda.runtime.ModelActivator;
import dev.llcuda.runtime.ModelAdapters;

/**
 * Service replicas sharing one registry database: registrations seen by every replica,
 * one activation at a time, a running replica follows another's activation, and a replica
 * started later loads the active model; entry kinds and the adapters of each activation
 * (migration V4) are shared the same way. Each database runs it.
 */
abstract class SharedRegistryContract {

	private static final ModelFacts FACTS = new ModelFacts("tiny", "llama", "Q8_0", 1_234_567, 256);

	@TempDir
	Path temp;

	/** A fresh database (the registry migrates it). */
	abstract DataSource database();

	@Test
	void replicasShareRegistrationsActivateOneAtATimeFollowActivationsAndALaterReplicaServesTheActiveModel()
			throws Exception {
		Path models = Files.createDirectories(this.temp.resolve("models"));
		Path first = Files.writeString(models.resolve("first.gguf"), "first");
		Path second = Files.writeString(models.resolve("second.gguf"), "second");
		DataSource database = database();
		List<String> events = new CopyOnWriteArrayList<>();
		Replica a = new Replica("a", events);
		Replica b = new Replica("b", events);
		ModelRegistry registryA = replica(database, models, a);
		ModelRegistry registryB = replica(database, models, b);

		long firstId = registryA.register(first).id();
		long secondId = registryB.register(second).id();
		assertThat(registryB.models()).extracting(ModelRecord::id).containsExactly(firstId, secondId);
		assertThat(registryA.models()).extracting(ModelRecord::id).containsExactly(firstId, secondId);

		// a loads slowly; b's activation waits for the database lock until a's has
		// finished
		a.hold = new CountDownLatch(1);
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			Future<ModelRecord> activationA = threads.submit(() -> registryA.activate(firstId));
			assertThat(a.loading.await(10, TimeUnit.SECONDS)).isTrue();
			Future<ModelRecord> activationB = threads.submit(() -> registryB.activate(secondId));
			Thread.sleep(500);
			assertThat(events).containsExactly("a starts first.gguf");
			a.hold.countDown();
			activationA.get(10, TimeUnit.SECONDS);
			activationB.get(10, TimeUnit.SECONDS);
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(events).containsExactly("a starts first.gguf", "a loaded first.gguf", "b starts second.gguf",
				"b loaded second.gguf");
		assertThat(registryA.active().orElseThrow().id()).isEqualTo(secondId);

		// a still serves first.gguf until its follower sees b's activation
		assertThat(a.served).isEqualTo(first.toRealPath());
		try (ActiveModelFollower follower = new ActiveModelFollower(registryA)) {
			follower.start(Duration.ofMillis(50));
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (!second.toRealPath().equals(a.served) && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
		}
		assertThat(a.served).isEqualTo(second.toRealPath());
		assertThat(events).containsExactly("a starts first.gguf", "a loaded first.gguf", "b starts second.gguf",
				"b loaded second.gguf", "a starts second.gguf", "a loaded second.gguf");
		// an activation is followed once; b, which made it, does not load it again
		assertThat(registryA.followActive()).isEmpty();
		assertThat(registryB.followActive()).isEmpty();
		assertThat(events).hasSize(6);

		Replica c = new Replica("c", events);
		ModelRegistry registryC = replica(database, models, c);
		assertThat(registryC.resumeActive().orElseThrow().id()).isEqualTo(secondId);
		assertThat(c.served).isEqualTo(second.toRealPath());
	}

	@Test
	void entryKindsAndEachActivationsAdaptersAreSharedKeptInOrderAndLoadedAgainByALaterReplica() throws Exception {
		Path models = Files.createDirectories(this.temp.resolve("models"));
		Path model = Files.writeString(models.resolve("model.gguf"), "model");
		Path merged = Files.writeString(models.resolve("merged-lora.gguf"), "merged");
		Path beside = Files.createDirectories(models.resolve("beside-peft"));
		Files.writeString(beside.resolve("adapter_model.safetensors"), "beside");
		DataSource database = database();
		ModelRegistry registryA = replica(database, models, new Replica("a", new CopyOnWriteArrayList<>()),
				SharedRegistryContract::kindByName);
		ModelRegistry registryB = replica(database, models, new Replica("b", new CopyOnWriteArrayList<>()),
				SharedRegistryContract::kindByName);
		long modelId = registryA.register(model).id();
		long mergedId = registryA.register(merged).id();
		long besideId = registryA.register(beside).id();
		assertThat(registryB.models()).extracting(entry -> entry.facts().kind())
			.containsExactly(EntryKind.GGUF_MODEL, EntryKind.GGUF_ADAPTER, EntryKind.PEFT_ADAPTER);

		ActivationAdapters adapters = new ActivationAdapters(List.of(mergedId), List.of(besideId));
		registryA.activate(modelId, adapters);
		Replica named = new Replica("named", new CopyOnWriteArrayList<>());
		registryA.activate(modelId, "second", named, new ActivationAdapters(List.of(), List.of(besideId, mergedId)));
		assertThat(registryB.activations()).containsExactly(new Activation(null, modelId, adapters),
				new Activation("second", modelId, new ActivationAdapters(List.of(), List.of(besideId, mergedId))));
		assertThatThrownBy(() -> registryB.remove(besideId)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("the default model")
			.hasMessageContaining("'second'");

		Replica c = new Replica("c", new CopyOnWriteArrayList<>());
		replica(database, models, c, SharedRegistryContract::kindByName).resumeActive();
		assertThat(c.served).isEqualTo(model.toRealPath());
		assertThat(c.adapters.merged()).extracting(lora -> lora.path()).containsExactly(merged.toRealPath());
		assertThat(c.adapters.beside()).extracting(lora -> lora.name()).containsExactly("beside-peft");

		registryA.unload();
		registryA.unload("second", named);
		assertThat(registryB.activations()).isEmpty();
		registryB.remove(besideId);
		assertThat(registryA.models()).extracting(ModelRecord::id).containsExactly(modelId, mergedId);
	}

	/** A model, or an adapter (a GGUF file or a PEFT directory) by its name. */
	private static ModelFacts kindByName(Path path) {
		String name = path.getFileName().toString();
		EntryKind kind = name.endsWith("-peft") ? EntryKind.PEFT_ADAPTER
				: name.endsWith("-lora.gguf") ? EntryKind.GGUF_ADAPTER : EntryKind.GGUF_MODEL;
		return new ModelFacts(name, "llama", "F32", 1_000, kind.isAdapter() ? 0 : 256, kind);
	}

	private ModelRegistry replica(DataSource database, Path models, Replica activator) {
		return replica(database, models, activator, file -> FACTS);
	}

	private ModelRegistry replica(DataSource database, Path models, Replica activator, ModelInspector inspector) {
		return new ModelRegistry(RegistryDatabase.of(database), new ModelFolders(List.of(models)), inspector, activator,
				Clock.systemUTC(), Duration.ofSeconds(20));
	}

	/**
	 * The engine of one replica: records its loads, and can be held in the middle of one.
	 */
	private static final class Replica implements ModelActivator {

		private final String name;

		private final List<String> events;

		private final CountDownLatch loading = new CountDownLatch(1);

		private @Nullable CountDownLatch hold;

		private volatile @Nullable Path served;

		private volatile ModelAdapters adapters = ModelAdapters.NONE;

		Replica(String name, List<String> events) {
			this.name = name;
			this.events = events;
		}

		@Override
		public void activate(Path file) {
			this.events.add(this.name + " starts " + file.getFileName());
			this.loading.countDown();
			try {
				if (this.hold != null && !this.hold.await(10, TimeUnit.SECONDS)) {
					throw new IllegalStateException("held too long");
				}
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
			this.served = file;
			this.events.add(this.name + " loaded " + file.getFileName());
		}

		@Override
		public void activate(Path file, ModelAdapters adapters) {
			activate(file);
			this.adapters = adapters;
		}

		@Override
		public void unload() {
			this.served = null;
		}

		@Override
		public Optional<Path> servedFile() {
			return Optional.ofNullable(this.served);
		}

		@Override
		public Optional<String> servedFileChange() {
			return Optional.empty();
		}

	}

}
