package dev.llcuda.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.llcuda.engine.AdapterFile;
import dev.llcuda.engine.AdapterMerger;
import dev.llcuda.runtime.AdapterMismatchException;
import dev.llcuda.runtime.ModelActivator;
import dev.llcuda.runtime.ModelAdapters;

/**
 * Registers, verifies, activates, unloads and removes entries: GGUF model files, Hugging
 * Face checkpoint directories and LoRA adapters (GGUF files, PEFT directories), told
 * apart by the {@link ModelInspector}. Paths are confined to the model folders; a model
 * is activated only after its checksum, and those of the registered adapters it is
 * activated with, matched the recorded ones; an adapter is never activated alone. Calls
 * are serialized (activation switches the engine's model), and activations also across
 * every registry sharing the database (service replicas) by a database lock. The ACTIVE
 * model is the one to serve: a process that starts without one loads it
 * ({@link #resumeActive()}), a running one follows a later activation by another
 * ({@link #followActive()}), and a served file changed on disk is reported in the active
 * model's status message.
 */
public final class ModelRegistry {

	private static final Logger logger = LoggerFactory.getLogger(ModelRegistry.class);

	private final ModelRepository repository;

	private final ModelFolders folders;

	private final ModelInspector inspector;

	private final ModelActivator activator;

	private final Clock clock;

	private final String databaseDescription;

	private final ActivationLock activationLock;

	/** The last activation of the ACTIVE model this registry loaded or saw loaded. */
	private @Nullable ActivationMark followed;

	public ModelRegistry(RegistryDatabase database, ModelFolders folders, ModelInspector inspector,
			ModelActivator activator, Clock clock, Duration activationLockTimeout) {
		this.repository = new ModelRepository(database);
		this.folders = folders;
		this.inspector = inspector;
		this.activator = activator;
		this.clock = clock;
		this.databaseDescription = database.description();
		this.activationLock = new ActivationLock(database.dataSource(), activationLockTimeout);
	}

	/**
	 * Loads the model the registry marks ACTIVE when the engine serves none: after a
	 * restart, or in a replica started beside others sharing the database. A model that
	 * cannot be loaded here stays ACTIVE (others may serve it) with the reason in its
	 * status message.
	 */
	public synchronized Optional<ModelRecord> resumeActive() {
		if (this.activator.servedFile().isPresent()) {
			this.followed = this.repository.findActive().map(ActivationMark::of).orElse(null);
			return Optional.empty();
		}
		return this.activationLock.holding(() -> this.repository.findActive().map(active -> {
			logger.info("llcuda model registry: loading {}, the model the registry marks active", active.path());
			return loadActive(active, "not loaded at start-up: ");
		}));
	}

	/**
	 * Loads the model the registry marks ACTIVE when another registry sharing the
	 * database (a service replica) activated it since this one last looked; polled by
	 * {@link ActiveModelFollower}. An activation seen once is followed once: one that
	 * cannot be loaded here stays ACTIVE with the reason in its status message, and is
	 * not tried again until the next activation. Unloads are not followed.
	 */
	public synchronized Optional<ModelRecord> followActive() {
		Optional<ActivationMark> seen = this.repository.findActive().map(ActivationMark::of);
		if (seen.isEmpty() || seen.get().equals(this.followed)) {
			return Optional.empty();
		}
		return this.activationLock.holding(() -> this.repository.findActive().flatMap(active -> {
			this.followed = ActivationMark.of(active);
			if (this.activator.servedFile().map(ModelRegistry::realPath).filter(active.path()::equals).isPresent()) {
				return Optional.empty();
			}
			logger.info("llcuda model registry: loading {}, activated by another service sharing the registry",
					active.path());
			return Optional.of(loadActive(active, "not loaded by a replica following the activation: "));
		}));
	}

	/**
	 * Verifies and loads the ACTIVE model {@code active}; when that fails it stays ACTIVE
	 * (others may serve it) with {@code failurePrefix} and the reason as its message.
	 */
	private ModelRecord loadActive(ModelRecord active, String failurePrefix) {
		this.followed = ActivationMark.of(active);
		try {
			ActivationAdapters adapters = this.repository.findAdapters(ModelRepository.DEFAULT_SLOT, active.id());
			String problem = verified(active.id(), this.activator).problem();
			for (long adapter : adapters.ids()) {
				if (problem == null) {
					problem = verified(adapter, this.activator).problem();
				}
			}
			if (problem != null) {
				throw new IllegalStateException(problem);
			}
			this.activator.activate(active.path(), modelAdapters(adapters));
		}
		catch (RuntimeException e) {
			logger.warn("llcuda model registry: the active model {} is not loaded here: {}", active.path(),
					e.getMessage());
			this.repository.updateStatus(active.id(), ModelStatus.ACTIVE, failurePrefix + e.getMessage());
		}
		return require(active.id());
	}

	/** One activation of the registry's ACTIVE model: which model, and when. */
	private record ActivationMark(long id, @Nullable Instant activatedAt) {

		static ActivationMark of(ModelRecord model) {
			return new ActivationMark(model.id(), model.activatedAt());
		}
	}

	public ModelFolders folders() {
		return this.folders;
	}

	public String databaseDescription() {
		return this.databaseDescription;
	}

	public synchronized List<ModelRecord> models() {
		return this.repository.findAll().stream().map(this::withServedFileChange).toList();
	}

	public synchronized Optional<ModelRecord> find(long id) {
		return this.repository.findById(id).map(this::withServedFileChange);
	}

	public synchronized Optional<ModelRecord> active() {
		return models().stream().filter(model -> model.status() == ModelStatus.ACTIVE).findFirst();
	}

	/**
	 * The active model's record, its message saying how its file changed since it was
	 * loaded.
	 */
	private ModelRecord withServedFileChange(ModelRecord model) {
		if (model.status() != ModelStatus.ACTIVE) {
			return model;
		}
		return this.activator.servedFileChange()
			.map(change -> new ModelRecord(model.id(), model.path(), model.sha256(), model.sizeBytes(), model.facts(),
					model.status(),
					"the file changed since it was loaded (" + change
							+ "); serving continues from the copy loaded, activate it again to load the new one",
					model.registeredAt(), model.verifiedAt(), model.activatedAt()))
			.orElse(model);
	}

	/**
	 * Registers the file or directory (or returns its existing record): its kind,
	 * checksum, size and facts.
	 */
	public synchronized ModelRecord register(Path file) {
		try {
			Path real = this.folders.confine(file);
			Optional<ModelRecord> existing = this.repository.findByPath(real);
			if (existing.isPresent()) {
				return existing.get();
			}
			ModelFacts facts = this.inspector.inspect(real);
			long id = this.repository.insert(real, EntryDigest.sha256(real, this.activator), EntryDigest.size(real),
					facts, this.clock.instant());
			return require(id);
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot register " + file + ": " + e.getMessage(), e);
		}
	}

	/**
	 * Registers every entry of {@code folder} (one of the model folders) not yet known:
	 * GGUF files, checkpoint and PEFT adapter directories. A file that cannot be
	 * registered is reported in {@code refused} with the reason; the others still are.
	 */
	public synchronized ScanResult scan(Path folder) {
		List<ModelRecord> added = new ArrayList<>();
		List<ScanResult.Refused> refused = new ArrayList<>();
		List<Path> files;
		try {
			files = this.folders.entriesIn(folder);
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot scan " + folder + ": " + e.getMessage(), e);
		}
		for (Path file : files) {
			try {
				if (this.repository.findByPath(file.toRealPath()).isEmpty()) {
					added.add(register(file));
				}
			}
			catch (IOException | RuntimeException e) {
				logger.warn("llcuda model registry: {} not registered: {}", file, e.getMessage());
				refused.add(new ScanResult.Refused(file, String.valueOf(e.getMessage())));
			}
		}
		return new ScanResult(added, refused);
	}

	/**
	 * Recomputes the file's SHA-256; a mismatch or a missing file is recorded in the
	 * status, except for the active model, which stays ACTIVE (it serves from the copy
	 * loaded) with the problem in its message.
	 */
	public synchronized ModelRecord verify(long id) {
		return verified(id, this.activator).model();
	}

	/**
	 * Verifies the model, hashing its file through {@code target} (which reports how far
	 * it is).
	 */
	private Verification verified(long id, ModelActivator target) {
		ModelRecord model = require(id);
		ModelStatus status = model.status() == ModelStatus.ACTIVE ? ModelStatus.ACTIVE : ModelStatus.AVAILABLE;
		String problem = null;
		if (!EntryDigest.exists(model.path(), model.facts().kind())) {
			problem = model.path() + " no longer exists";
			status = ModelStatus.MISSING;
		}
		else {
			String actual;
			try {
				actual = EntryDigest.sha256(model.path(), target);
			}
			catch (IOException e) {
				throw new UncheckedIOException("cannot read " + model.path() + ": " + e.getMessage(), e);
			}
			if (!actual.equals(model.sha256())) {
				problem = model.path() + ": expected SHA-256 " + model.sha256() + ", actual " + actual;
				status = ModelStatus.CHECKSUM_MISMATCH;
			}
		}
		String message = problem;
		if (problem != null && model.status() == ModelStatus.ACTIVE) {
			status = ModelStatus.ACTIVE;
			message = problem + "; serving continues from the copy loaded";
		}
		this.repository.markVerified(id, status, message, this.clock.instant());
		return new Verification(require(id), problem);
	}

	/** A model after verification, and what is wrong with its file (null: nothing). */
	private record Verification(ModelRecord model, @Nullable String problem) {
	}

	/**
	 * Verifies the model and loads it in place of the one serving. A mismatch refuses; a
	 * load failure marks the model FAILED with the reason and rethrows.
	 */
	public synchronized ModelRecord activate(long id) {
		return activate(id, null, this.activator);
	}

	/**
	 * Verifies the model and the registered adapters and loads the model with them in
	 * place of the one serving, as {@link #activate(long)} does.
	 */
	public synchronized ModelRecord activate(long id, ActivationAdapters adapters) {
		return activate(id, null, this.activator, adapters);
	}

	/**
	 * Verifies the model and loads it into {@code target}, the model of the set named
	 * {@code slot}; the default model's activation is recorded as the registry's ACTIVE
	 * model, another's under its name ({@link #resumeSlots}).
	 */
	public synchronized ModelRecord activate(long id, @Nullable String slot, ModelActivator target) {
		return activate(id, slot, target, ActivationAdapters.NONE);
	}

	/**
	 * Verifies the model and the registered adapters and loads the model with them into
	 * {@code target} ({@code slot} as for
	 * {@link #activate(long, String, ModelActivator)}); the adapters are recorded with
	 * the activation and loaded with it again after a restart.
	 * @throws IllegalArgumentException when an id is no adapter, the model is one, or an
	 * adapter does not fit the model, naming both; nothing is loaded or recorded then
	 */
	public synchronized ModelRecord activate(long id, @Nullable String slot, ModelActivator target,
			ActivationAdapters adapters) {
		ModelRecord model = require(id);
		if (model.facts().kind().isAdapter()) {
			throw new IllegalArgumentException("entry " + id + " (" + model.path() + ") is a LoRA adapter ("
					+ model.facts().kind() + "); activate a model and name the adapter under \"adapters\" (merged) "
					+ "or \"lora\" (loaded beside it)");
		}
		List<ModelRecord> chosen = adapterRecords(model, adapters);
		return this.activationLock.holding(() -> {
			Verification verification = verified(id, target);
			ModelRecord verified = verification.model();
			if (verification.problem() != null) {
				throw new IllegalStateException("model " + id + " cannot be activated: " + verification.problem());
			}
			for (ModelRecord adapter : chosen) {
				String problem = verified(adapter.id(), target).problem();
				if (problem != null) {
					throw new IllegalStateException("model " + id + " cannot be activated with the LoRA adapter "
							+ adapter.id() + ": " + problem);
				}
			}
			try {
				target.activate(verified.path(), modelAdapters(adapters));
			}
			catch (AdapterMismatchException e) {
				throw new IllegalArgumentException("model " + id + " cannot be activated with the LoRA adapters "
						+ adapters.ids() + ": " + e.getMessage(), e);
			}
			catch (RuntimeException e) {
				this.repository.updateStatus(id, ModelStatus.FAILED, String.valueOf(e.getMessage()));
				throw e;
			}
			if (target == this.activator) {
				this.repository.deactivateAll();
				this.repository.markActive(id, this.clock.instant());
				this.repository.recordAdapters(ModelRepository.DEFAULT_SLOT, id, adapters);
				this.followed = ActivationMark.of(require(id));
			}
			else if (slot != null) {
				this.repository.recordSlot(slot, id, this.clock.instant());
				this.repository.recordAdapters(slot, id, adapters);
			}
			return require(id);
		});
	}

	/**
	 * The adapters' records, each checked to be a registered LoRA adapter named once,
	 * and, where the adapter says which architecture it was trained for, one of the
	 * model's.
	 */
	private List<ModelRecord> adapterRecords(ModelRecord model, ActivationAdapters adapters) {
		List<ModelRecord> records = new ArrayList<>();
		for (long adapterId : adapters.ids()) {
			ModelRecord adapter = this.repository.findById(adapterId)
				.orElseThrow(() -> new IllegalArgumentException(
						"no registered LoRA adapter with id " + adapterId + " (activating model " + model.id() + ")"));
			if (!adapter.facts().kind().isAdapter()) {
				throw new IllegalArgumentException(
						"entry " + adapterId + " (" + adapter.path() + ") is a " + adapter.facts().kind()
								+ ", not a LoRA adapter; it cannot be activated as an adapter of model " + model.id());
			}
			if (records.stream().anyMatch(earlier -> earlier.id() == adapterId)) {
				throw new IllegalArgumentException("the LoRA adapter " + adapterId + " is named twice");
			}
			String trainedFor = adapter.facts().architecture();
			if (!trainedFor.isEmpty() && !trainedFor.equals(model.facts().architecture())) {
				throw new IllegalArgumentException("the LoRA adapter " + adapterId + " (" + adapter.path() + ") was "
						+ "trained for " + trainedFor + " and does not fit the model " + model.id() + " ("
						+ model.path() + ", " + model.facts().architecture() + ")");
			}
			records.add(adapter);
		}
		return records;
	}

	/**
	 * The runtime's form of the adapters: merged ones by path, the others by path under
	 * their {@link #adapterName registered name}.
	 */
	private ModelAdapters modelAdapters(ActivationAdapters adapters) {
		List<AdapterMerger.Lora> merged = adapters.merged()
			.stream()
			.map(id -> new AdapterMerger.Lora(require(id).path(), 1f))
			.toList();
		List<AdapterFile> beside = adapters.beside().stream().map(id -> {
			ModelRecord adapter = require(id);
			return new AdapterFile(adapterName(adapter), adapter.path(), 1f);
		}).toList();
		return new ModelAdapters(merged, beside);
	}

	/**
	 * The name requests pick an adapter loaded beside its model by: its registered name,
	 * each character other than a letter, digit, '.', '_' or '-' replaced by '_', at most
	 * 128 characters.
	 */
	public static String adapterName(ModelRecord adapter) {
		String name = adapter.facts().name().replaceAll("[^A-Za-z0-9._-]", "_");
		if (name.isEmpty()) {
			name = "adapter-" + adapter.id();
		}
		return name.length() > 128 ? name.substring(0, 128) : name;
	}

	/**
	 * The activations the registry loads again after a restart: the default model's (its
	 * ACTIVE entry) and each named model's, each with its registered adapters.
	 */
	public synchronized List<Activation> activations() {
		List<Activation> activations = new ArrayList<>();
		this.repository.findActive()
			.ifPresent(active -> activations.add(new Activation(null, active.id(),
					this.repository.findAdapters(ModelRepository.DEFAULT_SLOT, active.id()))));
		this.repository.findSlots()
			.forEach((slot, id) -> activations.add(new Activation(slot, id, this.repository.findAdapters(slot, id))));
		return activations;
	}

	/**
	 * Records that {@code file}, loaded at start-up from llcuda.model.path, is the active
	 * model.
	 */
	public synchronized void recordActive(Path file) {
		this.repository.deactivateAll();
		this.repository.forgetAdapters(ModelRepository.DEFAULT_SLOT);
		this.repository.findByPath(realPath(file))
			.ifPresent(model -> this.repository.markActive(model.id(), this.clock.instant()));
		this.followed = this.repository.findActive().map(ActivationMark::of).orElse(null);
	}

	/**
	 * Unloads the active model; the engine then serves nothing until another is
	 * activated.
	 */
	public synchronized void unload() {
		unload(null, this.activator);
	}

	/**
	 * Unloads {@code target}, the model of the set named {@code slot}; the others serve
	 * on. Its recorded activation is forgotten.
	 */
	public synchronized void unload(@Nullable String slot, ModelActivator target) {
		target.unload();
		if (target == this.activator) {
			this.repository.deactivateAll();
			this.repository.forgetAdapters(ModelRepository.DEFAULT_SLOT);
		}
		else if (slot != null) {
			this.repository.forgetSlot(slot);
			this.repository.forgetAdapters(slot);
		}
	}

	/**
	 * After a restart, loads into each named model of the set the model it was last
	 * activated with through the registry, in place of its configured file. A name no
	 * longer configured ({@code slots} throws) or a model that cannot be loaded is logged
	 * and skipped; the others still load.
	 */
	public synchronized void resumeSlots(Function<String, ModelActivator> slots) {
		this.repository.findSlots().forEach((slot, id) -> {
			try {
				ModelActivator target = slots.apply(slot);
				logger.info("llcuda model registry: loading model {} into '{}', as last activated", id, slot);
				activate(id, slot, target, this.repository.findAdapters(slot, id));
			}
			catch (RuntimeException e) {
				logger.warn("llcuda model registry: '{}' keeps its configured file: {}", slot, e.getMessage());
			}
		});
	}

	/**
	 * Forgets an entry (the file stays). The active model, and an adapter an activation
	 * uses, must be unloaded first.
	 */
	public synchronized void remove(long id) {
		ModelRecord model = require(id);
		if (model.status() == ModelStatus.ACTIVE) {
			throw new IllegalStateException("model " + id + " is active; unload it before removing it");
		}
		List<String> users = this.repository.slotsUsing(id);
		if (!users.isEmpty()) {
			throw new IllegalStateException("the LoRA adapter " + id + " serves with "
					+ users.stream()
						.map(slot -> slot.isEmpty() ? "the default model" : "the model '" + slot + "'")
						.toList()
					+ "; unload it before removing the adapter");
		}
		this.repository.delete(id);
	}

	private ModelRecord require(long id) {
		return this.repository.findById(id)
			.orElseThrow(() -> new IllegalArgumentException("no registered model with id " + id));
	}

	private static Path realPath(Path file) {
		try {
			return file.toRealPath();
		}
		catch (IOException e) {
			return file.toAbsolutePath().normalize();
		}
	}

}
