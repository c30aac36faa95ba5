package dev.llcuda.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * The models served together on one device: chat models and embedding models, each by its
 * name. The first chat model is the default one (requests that name none);
 * {@code llcuda.model.path} and {@code llcuda.embedding.path} are entries of the set like
 * any {@code llcuda.models.NAME}. {@link #open} checks the set against the memory budget
 * as a whole, before anything loads, and opens the embedding models (so beans can embed
 * while the context starts); the chat models load when the context starts, in the
 * background as {@link LlcudaRuntime} does.
 */
public final class ModelSet implements SmartLifecycle, AutoCloseable {

	/**
	 * Memory the set may take.
	 *
	 * @param bytes the budget
	 * @param source where it comes from, for the error message
	 */
	public record MemoryBudget(long bytes, String source) {
	}

	private final List<ChatSlot> chats;

	private final List<EmbeddingSlot> embeddings;

	private final @Nullable MemoryBudget budget;

	private volatile boolean running;

	private ModelSet(List<ChatSlot> chats, List<EmbeddingSlot> embeddings, @Nullable MemoryBudget budget) {
		if (chats.isEmpty()) {
			throw new IllegalArgumentException("a model set needs a chat slot (the default one)");
		}
		this.chats = List.copyOf(chats);
		this.embeddings = List.copyOf(embeddings);
		this.budget = budget;
	}

	/**
	 * The set, checked against {@code budget} and with its embedding models open.
	 * @param chats the chat models, the default first; at least one (a slot without a
	 * startup file waits for an activation)
	 * @param embeddings the embedding models, the default first
	 * @param budget the memory the set may take, or null when it is not limited
	 * @throws IllegalStateException naming each model and its size when the set does not
	 * fit
	 * @throws RuntimeException naming the file when an embedding model cannot be opened
	 */
	public static ModelSet open(List<ChatSlot> chats, List<EmbeddingSlot> embeddings, @Nullable MemoryBudget budget) {
		ModelSet set = new ModelSet(chats, embeddings, budget);
		set.checkMemory();
		try {
			for (EmbeddingSlot slot : set.embeddings) {
				Path file = slot.startupFile();
				if (file != null) {
					slot.activate(file);
				}
			}
		}
		catch (RuntimeException e) {
			set.close();
			throw e;
		}
		return set;
	}

	/**
	 * A set of one chat model named after its file, without a memory budget (it loads
	 * through its own loader).
	 */
	public static ModelSet of(LlcudaRuntime runtime) {
		ModelLoader none = (file, progress) -> {
			throw new UnsupportedOperationException("a set of one runtime loads through that runtime's loader");
		};
		return new ModelSet(List.of(new ChatSlot(null, runtime, null, none)), List.of(), null);
	}

	/** Starts loading the chat models. */
	@Override
	public void start() {
		for (ChatSlot slot : this.chats) {
			if (!slot.runtime().isRunning()) {
				slot.runtime().start();
			}
		}
		this.running = true;
	}

	private void checkMemory() {
		MemoryBudget limit = this.budget;
		if (limit == null) {
			return;
		}
		List<String> sizes = new ArrayList<>();
		long total = 0;
		for (ChatSlot slot : this.chats) {
			Path file = slot.startupFile();
			if (file != null) {
				long bytes = slot.loader().memoryNeeded(file);
				sizes.add(label(slot.configuredName(), file, bytes, "weights and KV cache"));
				total += bytes;
			}
		}
		for (EmbeddingSlot slot : this.embeddings) {
			Path file = slot.startupFile();
			if (file != null) {
				long bytes = slot.memoryNeeded(file);
				sizes.add(label(slot.name().orElse(null), file, bytes, "weights"));
				total += bytes;
			}
		}
		if (total > limit.bytes()) {
			throw new IllegalStateException(
					"the models do not fit on the device together: " + String.join(", ", sizes) + " need "
							+ mebibytes(total) + ", more than the " + mebibytes(limit.bytes()) + " of " + limit.source()
							+ "; lower their KV budgets (kv-memory, kv-blocks), serve fewer models or smaller files");
		}
	}

	private static String label(@Nullable String name, Path file, long bytes, String what) {
		return "'" + (name != null ? name : file.getFileName().toString()) + "' " + mebibytes(bytes) + " (" + what
				+ ")";
	}

	private static String mebibytes(long bytes) {
		return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
	}

	@Override
	public void stop() {
		for (ChatSlot slot : this.chats) {
			if (slot.runtime().isRunning()) {
				slot.runtime().stop();
			}
		}
		this.running = false;
	}

	/** Closes the embedding models. */
	@Override
	public void close() {
		this.embeddings.forEach(EmbeddingSlot::unload);
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return LlcudaRuntime.PHASE;
	}

	public List<ChatSlot> chats() {
		return this.chats;
	}

	public List<EmbeddingSlot> embeddings() {
		return this.embeddings;
	}

	/** The chat model requests get when they name none. */
	public LlcudaRuntime defaultChat() {
		return this.chats.get(0).runtime();
	}

	/**
	 * The chat model {@code name} names; null or blank: the default one.
	 * @throws UnknownModelException when no model has that name
	 * @throws IllegalArgumentException when it names an embedding model
	 */
	public ChatSlot chat(@Nullable String name) {
		if (name == null || name.isBlank()) {
			return this.chats.get(0);
		}
		return this.chats.stream()
			.filter(slot -> slot.name().filter(name::equals).isPresent())
			.findFirst()
			.orElseThrow(() -> wrongKind(name, ModelKind.CHAT));
	}

	/**
	 * The embedding model {@code name} names; null or blank: the default one.
	 * @throws NoModelLoadedException when no embedding model is configured and none is
	 * named
	 * @throws UnknownModelException when no model has that name
	 * @throws IllegalArgumentException when it names a chat model
	 */
	public EmbeddingSlot embedding(@Nullable String name) {
		if (name == null || name.isBlank()) {
			if (this.embeddings.isEmpty()) {
				throw new NoModelLoadedException("no embedding model is configured; set llcuda.embedding.path or "
						+ "llcuda.models.NAME.path to a bert GGUF file (BGE, MiniLM, E5, nomic-embed-text)");
			}
			return this.embeddings.get(0);
		}
		return this.embeddings.stream()
			.filter(slot -> slot.name().filter(name::equals).isPresent())
			.findFirst()
			.orElseThrow(() -> wrongKind(name, ModelKind.EMBEDDING));
	}

	private RuntimeException wrongKind(String name, ModelKind wanted) {
		return kindOf(name)
			.<RuntimeException>map(kind -> new IllegalArgumentException("the model '" + name + "' is "
					+ kind.withArticle() + " model; this request needs " + wanted.withArticle() + " model"))
			.orElseGet(() -> new UnknownModelException(name, names()));
	}

	/** The kind of the model named {@code name}, or empty when none is. */
	public Optional<ModelKind> kindOf(String name) {
		if (this.chats.stream().anyMatch(slot -> slot.name().filter(name::equals).isPresent())) {
			return Optional.of(ModelKind.CHAT);
		}
		if (this.embeddings.stream().anyMatch(slot -> slot.name().filter(name::equals).isPresent())) {
			return Optional.of(ModelKind.EMBEDDING);
		}
		return Optional.empty();
	}

	/**
	 * The names of the models served or configured, chat models first (a slot named after
	 * its file counts while it serves).
	 */
	public List<String> names() {
		return Stream.concat(this.chats.stream().map(ChatSlot::name), this.embeddings.stream().map(EmbeddingSlot::name))
			.flatMap(Optional::stream)
			.distinct()
			.toList();
	}

	/**
	 * Activation and unloading of the model {@code name}.
	 * @throws UnknownModelException when no model has that name
	 */
	public ModelActivator activator(String name) {
		return switch (kindOf(name).orElseThrow(() -> new UnknownModelException(name, names()))) {
			case CHAT -> chat(name).runtime();
			case EMBEDDING -> embedding(name);
		};
	}

}
