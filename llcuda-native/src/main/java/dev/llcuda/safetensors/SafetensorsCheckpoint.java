package dev.llcuda.safetensors;

import dev.llcuda.template.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The safetensors weights of a Hugging Face model directory, one file or several shards:
 * with {@value #INDEX_FILE} the shards its {@code weight_map} names (every tensor it
 * lists must be in the shard it names, and no shard may hold a tensor the map does not
 * list), else {@value #SINGLE_FILE}, else the directory's only {@code *.safetensors}
 * file. A tensor name occurring twice is refused.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {

	public static final String INDEX_FILE = "model.safetensors.index.json";

	public static final String SINGLE_FILE = "model.safetensors";

	private final List<SafetensorsFile> files;

	private final Map<String, SafetensorsFile> fileByTensor;

	private SafetensorsCheckpoint(List<SafetensorsFile> files, Map<String, SafetensorsFile> fileByTensor) {
		this.files = files;
		this.fileByTensor = fileByTensor;
	}

	/**
	 * Opens the weights of {@code directory} (or the single file {@code path} names).
	 * @throws SafetensorsFormatException naming the file and tensor when a file or the
	 * index is malformed
	 * @throws IOException when a file cannot be read or the directory has no weights
	 */
	public static SafetensorsCheckpoint open(Path path) throws IOException {
		List<Path> shards;
		Map<String, String> weightMap = null;
		if (Files.isRegularFile(path)) {
			shards = List.of(path);
		}
		else if (Files.isRegularFile(path.resolve(INDEX_FILE))) {
			weightMap = weightMap(path.resolve(INDEX_FILE));
			shards = new TreeSet<>(weightMap.values()).stream().map(path::resolve).toList();
		}
		else if (Files.isRegularFile(path.resolve(SINGLE_FILE))) {
			shards = List.of(path.resolve(SINGLE_FILE));
		}
		else {
			try (Stream<Path> listing = Files.list(path)) {
				shards = listing.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
			}
			if (shards.size() != 1) {
				throw new IOException(
						path + " has " + (shards.isEmpty() ? "no" : shards.size()) + " *.safetensors files and no "
								+ INDEX_FILE + (shards.isEmpty() ? "" : " that says how they join"));
			}
		}
		List<SafetensorsFile> files = new ArrayList<>();
		try {
			Map<String, SafetensorsFile> fileByTensor = new LinkedHashMap<>();
			for (Path shard : shards) {
				SafetensorsFile file = SafetensorsFile.open(shard);
				files.add(file);
				for (SafetensorsTensor t : file.tensors()) {
					SafetensorsFile earlier = fileByTensor.putIfAbsent(t.name(), file);
					if (earlier != null) {
						throw new SafetensorsFormatException(shard, t.name(), "also in " + earlier.path());
					}
					if (weightMap != null && !shard.getFileName().toString().equals(weightMap.get(t.name()))) {
						throw new SafetensorsFormatException(shard, t.name(), INDEX_FILE + " places it "
								+ (weightMap.containsKey(t.name()) ? "in " + weightMap.get(t.name()) : "nowhere"));
					}
				}
			}
			if (weightMap != null) {
				for (var entry : weightMap.entrySet()) {
					if (!fileByTensor.containsKey(entry.getKey())) {
						throw new SafetensorsFormatException(path.resolve(entry.getValue()), entry.getKey(),
								"listed in " + INDEX_FILE + " but not in the file");
					}
				}
			}
			return new SafetensorsCheckpoint(List.copyOf(files), fileByTensor);
		}
		catch (IOException | RuntimeException e) {
			for (SafetensorsFile file : files) {
				file.close();
			}
			throw e;
		}
	}

	/**
	 * The index's {@code weight_map}: tensor name to shard file name (a plain name inside
	 * the directory).
	 */
	private static Map<String, String> weightMap(Path index) throws IOException {
		Object json;
		try {
			json = Json.parse(Files.readString(index), index.toString());
		}
		catch (IllegalArgumentException e) {
			throw new SafetensorsFormatException(index, "not valid JSON: " + e.getMessage());
		}
		if (!(json instanceof Map<?, ?> root) || !(root.get("weight_map") instanceof Map<?, ?> map)) {
			throw new SafetensorsFormatException(index, "no 'weight_map' object");
		}
		Map<String, String> weightMap = new LinkedHashMap<>();
		for (var entry : map.entrySet()) {
			if (!(entry.getValue() instanceof String shard) || shard.isEmpty() || shard.contains("/")
					|| shard.contains("\\") || shard.equals("..") || shard.equals(".")) {
				throw new SafetensorsFormatException(index, String.valueOf(entry.getKey()),
						"weight_map entry " + entry.getValue() + " is not a file name inside the directory");
			}
			weightMap.put((String) entry.getKey(), shard);
		}
		if (weightMap.isEmpty()) {
			throw new SafetensorsFormatException(index, "the weight_map is empty");
		}
		return weightMap;
	}

	/** The files, one per shard. */
	public List<SafetensorsFile> files() {
		return files;
	}

	/** Every tensor of every shard, shard by shard. */
	public List<SafetensorsTensor> tensors() {
		return files.stream().flatMap(f -> f.tensors().stream()).toList();
	}

	public Optional<SafetensorsTensor> tensor(String name) {
		SafetensorsFile file = fileByTensor.get(name);
		return file == null ? Optional.empty() : file.tensor(name);
	}

	/**
	 * The raw bytes of {@code tensor}, from its shard
	 * ({@link SafetensorsFile#bytes(SafetensorsTensor)}).
	 */
	public ByteBuffer bytes(SafetensorsTensor tensor) {
		return fileOf(tensor).bytes(tensor);
	}

	/**
	 * A slice of the raw bytes of {@code tensor}
	 * ({@link SafetensorsFile#bytes(SafetensorsTensor, long, long)}).
	 */
	public ByteBuffer bytes(SafetensorsTensor tensor, long start, long length) {
		return fileOf(tensor).bytes(tensor, start, length);
	}

	/** The {@code __metadata__} of the shard holding {@code tensor}. */
	public Map<String, String> metadata(SafetensorsTensor tensor) {
		return fileOf(tensor).metadata();
	}

	private SafetensorsFile fileOf(SafetensorsTensor tensor) {
		SafetensorsFile file = fileByTensor.get(tensor.name());
		if (file == null) {
			throw new IllegalArgumentException("tensor " + tensor + " is not in this checkpoint");
		}
		return file;
	}

	@Override
	public void close() throws IOException {
		IOException failure = null;
		for (SafetensorsFile file : files) {
			try {
				file.close();
			}
			catch (IOException e) {
				failure = failure == null ? e : failure;
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

}
