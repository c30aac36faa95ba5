package dev.llcuda.runtime;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import org.jspecify.annotations.Nullable;

/**
 * One embedding model of the {@link ModelSet}: opens its file at start, and is activated
 * with another file or unloaded by name. A new file is opened before the old one is
 * closed, so a failed activation leaves the old one serving.
 */
public final class EmbeddingSlot implements ModelActivator {

	private final @Nullable String name;

	private final @Nullable Path startupFile;

	private final Function<Path, EmbeddingRuntime> opener;

	private final ToLongFunction<Path> memoryNeeded;

	private volatile @Nullable EmbeddingRuntime serving;

	/**
	 * @param name the name requests use; null: the {@code general.name} of the file
	 * served
	 * @param startupFile the file opened at start, or null
	 * @param opener opens a file on the device
	 * @param memoryNeeded device memory a file would take
	 */
	public EmbeddingSlot(@Nullable String name, @Nullable Path startupFile, Function<Path, EmbeddingRuntime> opener,
			ToLongFunction<Path> memoryNeeded) {
		this.name = name;
		this.startupFile = startupFile;
		this.opener = opener;
		this.memoryNeeded = memoryNeeded;
	}

	/**
	 * The name requests use, or empty while a slot named after its file serves nothing.
	 */
	public Optional<String> name() {
		EmbeddingRuntime current = this.serving;
		return Optional.ofNullable(this.name != null ? this.name : current != null ? current.modelName() : null);
	}

	@Nullable Path startupFile() {
		return this.startupFile;
	}

	long memoryNeeded(Path file) {
		return this.memoryNeeded.applyAsLong(file);
	}

	public Optional<EmbeddingRuntime> serving() {
		return Optional.ofNullable(this.serving);
	}

	/** The model serving now, or an exception saying that none is. */
	public EmbeddingRuntime requireServing() {
		EmbeddingRuntime current = this.serving;
		if (current == null) {
			throw new NoModelLoadedException("the embedding model " + name().map(n -> "'" + n + "' ").orElse("")
					+ "is not loaded; activate it in the model registry or restart with its file configured");
		}
		return current;
	}

	@Override
	public synchronized void activate(Path file) {
		EmbeddingRuntime previous = this.serving;
		this.serving = this.opener.apply(file);
		if (previous != null) {
			previous.close();
		}
	}

	@Override
	public synchronized void unload() {
		EmbeddingRuntime previous = this.serving;
		this.serving = null;
		if (previous != null) {
			previous.close();
		}
	}

	@Override
	public Optional<Path> servedFile() {
		return serving().map(runtime -> runtime.engine().path());
	}

	@Override
	public Optional<String> servedFileChange() {
		return serving().flatMap(runtime -> runtime.engine().loadedFile().changeOf(runtime.engine().path()));
	}

}
