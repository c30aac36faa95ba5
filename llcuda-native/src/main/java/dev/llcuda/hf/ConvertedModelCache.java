package dev.llcuda.hf;

import dev.llcuda.gguf.GgmlType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Hugging Face model directories converted once: the GGUF file of a directory and output
 * type lives in the cache folder under a name keyed by the directory's path and the name,
 * size and modification time of each of its files, so the next start loads it at once and
 * a changed checkpoint is converted again.
 *
 * @param folder where converted files are kept
 * @param converter converts a directory missing from the cache
 */
public record ConvertedModelCache(Path folder, CheckpointConverter converter) {

	/** The default cache folder: {@code ~/.cache/llcuda/models}. */
	public static Path defaultFolder() {
		return Path.of(System.getProperty("user.home"), ".cache", "llcuda", "models");
	}

	/**
	 * The GGUF file of {@code model}: {@code model} itself when it is not a model
	 * directory, else the cached conversion (made now if missing).
	 * @param type the weight matrices' type; empty: as stored
	 */
	public Path resolve(Path model, Optional<GgmlType> type) throws IOException {
		if (!CheckpointConverter.isModelDirectory(model)) {
			return model;
		}
		Path cached = folder.resolve(fileName(model, type));
		if (Files.isRegularFile(cached)) {
			return cached;
		}
		Files.createDirectories(folder);
		converter.convert(model, cached, type);
		return cached;
	}

	/** {@code <directory name>-<type>-<key>.gguf}. */
	static String fileName(Path model, Optional<GgmlType> type) throws IOException {
		Path directory = model.toRealPath();
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
		digest.update(directory.toString().getBytes(StandardCharsets.UTF_8));
		List<Path> files;
		try (Stream<Path> listing = Files.list(directory)) {
			files = listing.filter(Files::isRegularFile).sorted().toList();
		}
		for (Path file : files) {
			BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
			digest.update(("\n" + file.getFileName() + "\0" + attributes.size() + "\0"
					+ attributes.lastModifiedTime().toMillis())
				.getBytes(StandardCharsets.UTF_8));
		}
		String key = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
		String name = directory.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
		return name + "-" + type.map(Enum::name).orElse("as-stored") + "-" + key + ".gguf";
	}
}
