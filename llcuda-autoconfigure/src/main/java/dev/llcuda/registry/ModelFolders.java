package dev.llcuda.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The folders models may come from. Every path is resolved to its real location (symbolic
 * links and ".." followed) before the check, so no path escapes them.
 */
public final class ModelFolders {

	private final List<Path> folders;

	public ModelFolders(List<Path> folders) {
		if (folders.isEmpty()) {
			throw new IllegalArgumentException("llcuda.registry.model-folders is empty: no model could be registered");
		}
		this.folders = folders.stream().map(folder -> folder.toAbsolutePath().normalize()).toList();
	}

	public List<Path> folders() {
		return this.folders;
	}

	/** The first folder: where scans look by default. */
	public Path primary() {
		return this.folders.get(0);
	}

	/**
	 * The real path of {@code file} when it is a regular file or a directory (a Hugging
	 * Face checkpoint, a PEFT adapter) inside one of the folders. A path outside them
	 * gets the same answer whether or not it exists, and the answer never names where a
	 * link inside the folders leads, so errors tell nothing about files outside the
	 * folders.
	 * @throws IllegalArgumentException naming the file as given and the folders otherwise
	 */
	public Path confine(Path file) throws IOException {
		Path absolute = file.toAbsolutePath().normalize();
		IllegalArgumentException outside = new IllegalArgumentException("model file " + absolute
				+ " is outside the model folders " + this.folders + " (llcuda.registry.model-folders)");
		if (this.folders.stream().noneMatch(absolute::startsWith)) {
			throw outside;
		}
		if (!Files.isRegularFile(absolute) && !Files.isDirectory(absolute)) {
			throw new IllegalArgumentException(
					"model file " + absolute + " does not exist or is neither a regular file nor a directory");
		}
		Path real = absolute.toRealPath();
		for (Path folder : this.folders) {
			if (Files.isDirectory(folder) && real.startsWith(folder.toRealPath())) {
				return real;
			}
		}
		throw outside;
	}

	/**
	 * The entries directly inside {@code folder}, which must be one of the folders: its
	 * GGUF files (models and adapters) and its directories that hold a
	 * {@code config.json} (Hugging Face checkpoints) or an {@code adapter_config.json}
	 * (PEFT adapters).
	 */
	public List<Path> entriesIn(Path folder) throws IOException {
		Path absolute = folder.toAbsolutePath().normalize();
		if (!this.folders.contains(absolute)) {
			throw new IllegalArgumentException(
					"folder " + absolute + " is not one of the model folders " + this.folders);
		}
		List<Path> files = new ArrayList<>();
		if (!Files.isDirectory(absolute)) {
			return files;
		}
		try (var entries = Files.list(absolute)) {
			entries
				.filter(path -> Files.isRegularFile(path) ? path.getFileName().toString().endsWith(".gguf")
						: Files.isRegularFile(path.resolve("config.json"))
								|| Files.isRegularFile(path.resolve("adapter_config.json")))
				.sorted()
				.forEach(files::add);
		}
		return files;
	}

}
