package dev.llcuda.autoconfigure;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

import dev.llcuda.engine.EmbeddingEngine;
import dev.llcuda.runtime.EngineLimits;
import dev.llcuda.runtime.ModelKind;

/**
 * The models the properties configure, as entries of one set: {@code llcuda.model} (a
 * chat model named after its file), {@code llcuda.embedding} (an embedding model named
 * after its file) and each {@code llcuda.models.NAME} (of the kind its file's
 * architecture says), each with its limits. The chat entries always start with the
 * default one; it has no file when none is configured (the registry activates into it).
 * There are no embedding entries while {@code spring.ai.model.embedding} names another
 * embedding model.
 *
 * @param chats the chat models, the default first
 * @param embeddings the embedding models, the default first
 */
record ModelEntries(List<Entry> chats, List<Entry> embeddings) {

	/**
	 * One model.
	 *
	 * @param name the name requests use, or null when the served file's
	 * {@code general.name} names it
	 * @param model its file and file settings (context length, quantization, adapters)
	 * @param limits its engine limits (chat) or CPU threads (both)
	 * @param embedding its batch settings (embedding)
	 */
	record Entry(@Nullable String name, LlcudaProperties.Model model, EngineLimits limits,
			EmbeddingEngine.Options embedding) {

		@Nullable Path path() {
			return this.model.getPath();
		}
	}

	/**
	 * @param engineLimits the limits of {@code llcuda.engine}, which named models
	 * override setting by setting
	 * @param embeddingsServed false when {@code spring.ai.model.embedding} names another
	 * model (or {@code none}): then llcuda opens no embedding model
	 * @throws IllegalArgumentException naming the property when a model has no path or a
	 * setting its kind does not have
	 */
	static ModelEntries of(LlcudaProperties properties, EngineLimits engineLimits, boolean embeddingsServed) {
		List<Entry> chats = new ArrayList<>();
		List<Entry> embeddings = new ArrayList<>();
		LlcudaProperties.Embedding embedding = properties.getEmbedding();
		EmbeddingEngine.Options embeddingOptions = new EmbeddingEngine.Options(embedding.getMaxBatchTokens(),
				embedding.getOverflow());
		if (properties.getModel().getPath() != null) {
			chats.add(new Entry(null, properties.getModel(), engineLimits, embeddingOptions));
		}
		if (embedding.getPath() != null) {
			LlcudaProperties.Model file = new LlcudaProperties.Model();
			file.setPath(embedding.getPath());
			embeddings
				.add(new Entry(null, file, withCpuThreads(engineLimits, embedding.getCpuThreads()), embeddingOptions));
		}
		properties.getModels().forEach((name, model) -> {
			Path path = model.getPath();
			if (path == null) {
				throw new IllegalArgumentException("llcuda.models." + name + ".path is not set");
			}
			ModelKind kind = kind(name, path);
			refuseSettingsOfTheOtherKind(name, model, kind);
			Entry entry = new Entry(name, model, limits(engineLimits, model),
					new EmbeddingEngine.Options(or(model.getMaxBatchTokens(), embedding.getMaxBatchTokens()),
							or(model.getOverflow(), embedding.getOverflow())));
			(kind == ModelKind.CHAT ? chats : embeddings).add(entry);
		});
		if (chats.isEmpty()) {
			chats.add(new Entry(null, properties.getModel(), engineLimits, embeddingOptions));
		}
		return new ModelEntries(List.copyOf(chats), embeddingsServed ? List.copyOf(embeddings) : List.of());
	}

	private static ModelKind kind(String name, Path path) {
		try {
			return ModelKind.of(path);
		}
		catch (UncheckedIOException e) {
			throw new IllegalArgumentException("llcuda.models." + name + ".path: " + e.getMessage(), e);
		}
	}

	/**
	 * The engine limits with each setting the model gives in place of llcuda.engine's.
	 */
	private static EngineLimits limits(EngineLimits engine, LlcudaProperties.NamedModel model) {
		DataSize kvMemory = model.getKvMemory();
		return new EngineLimits(or(model.getMaxRunningSequences(), engine.maxRunningSequences()),
				or(model.getMaxTokensPerStep(), engine.maxTokensPerStep()),
				or(model.getMaxQueued(), engine.maxQueued()), engine.kvBlockSize(), engine.kvType(),
				model.getKvBlocks() != null || kvMemory != null ? model.getKvBlocks() : engine.kvBlocks(),
				kvMemory != null ? kvMemory.toBytes() : engine.kvMemoryBytes(),
				or(model.getCpuThreads(), engine.cpuThreads()));
	}

	private static EngineLimits withCpuThreads(EngineLimits engine, int cpuThreads) {
		return new EngineLimits(engine.maxRunningSequences(), engine.maxTokensPerStep(), engine.maxQueued(),
				engine.kvBlockSize(), engine.kvType(), engine.kvBlocks(), engine.kvMemoryBytes(), cpuThreads);
	}

	/**
	 * Settings that do nothing for a model of {@code kind} are refused rather than
	 * ignored.
	 */
	private static void refuseSettingsOfTheOtherKind(String name, LlcudaProperties.NamedModel model, ModelKind kind) {
		List<String> misplaced = new ArrayList<>();
		if (kind == ModelKind.EMBEDDING) {
			add(misplaced, "context-length", model.getContextLength());
			add(misplaced, "quantize", model.getQuantize());
			add(misplaced, "lora", model.getLora().isEmpty() ? null : model.getLora());
			add(misplaced, "adapters", model.getAdapters().isEmpty() ? null : model.getAdapters());
			add(misplaced, "kv-memory", model.getKvMemory());
			add(misplaced, "kv-blocks", model.getKvBlocks());
			add(misplaced, "max-running-sequences", model.getMaxRunningSequences());
			add(misplaced, "max-tokens-per-step", model.getMaxTokensPerStep());
			add(misplaced, "max-queued", model.getMaxQueued());
		}
		else {
			add(misplaced, "max-batch-tokens", model.getMaxBatchTokens());
			add(misplaced, "overflow", model.getOverflow());
		}
		if (!misplaced.isEmpty()) {
			throw new IllegalArgumentException("llcuda.models." + name + " is " + kind.withArticle() + " model ("
					+ model.getPath() + "); " + String.join(", ", misplaced) + " apply to "
					+ (kind == ModelKind.CHAT ? ModelKind.EMBEDDING : ModelKind.CHAT).label() + " models only");
		}
	}

	private static void add(List<String> names, String name, @Nullable Object value) {
		if (value != null) {
			names.add(name);
		}
	}

	/** The default chat model's entry. */
	Entry defaultChat() {
		return this.chats.get(0);
	}

	private static <T> T or(@Nullable T value, T fallback) {
		return value != null ? value : fallback;
	}
}
