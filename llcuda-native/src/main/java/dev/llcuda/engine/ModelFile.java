package dev.llcuda.engine;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufMetadata;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.WeightsProgress;
import dev.llcuda.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a GGUF file says about the model in it, read once: spec, tokenizer and metadata,
 * with the identity of the file version they came from. {@link #load} has the native
 * library copy the weights of that same version (a file changed in between is refused,
 * never mixed).
 *
 * @param path the file
 * @param identity size, modification time and inode when it was read
 * @param spec hyper-parameters and tensor table
 * @param tokenizer the file's vocabulary
 * @param metadata every key of the header
 */
public record ModelFile(Path path, FileIdentity identity, ModelSpec spec, Tokenizer tokenizer, GgufMetadata metadata) {

	/** The file with the context length it states. */
	public static ModelFile read(Path path) throws IOException {
		return read(path, 0);
	}

	/**
	 * @param contextLength positions the model runs with; 0: the file's
	 * ({@link ModelSpec#from(GgufFile, int)})
	 * @throws IOException when the file cannot be read or is not a model llcuda runs,
	 * naming what is wrong
	 */
	public static ModelFile read(Path path, int contextLength) throws IOException {
		FileIdentity identity = FileIdentity.of(path);
		try (GgufFile file = GgufFile.open(path)) {
			return new ModelFile(path, identity, ModelSpec.from(file, contextLength),
					Tokenizer.fromGguf(file.metadata()), file.metadata());
		}
	}

	/**
	 * Loads the weights onto {@code backend} into memory the model owns.
	 * @throws IllegalStateException when the file changed since it was read (it is being
	 * replaced)
	 */
	public Model load(Backend backend) {
		return load(backend, WeightsProgress.NONE);
	}

	/**
	 * {@link #load(Backend)}, telling {@code progress} how many bytes of weights were
	 * copied so far.
	 */
	public Model load(Backend backend, WeightsProgress progress) {
		return unchangedSinceRead(backend.loadModel(path, spec, progress));
	}

	/**
	 * Loads the weights over several CUDA devices
	 * ({@link NativeLibrary#loadModelOnDevices}: refused in this build after the plan and
	 * the NCCL check).
	 * @throws IllegalStateException when the file changed since it was read
	 */
	public Model loadOnDevices(NativeLibrary library, List<Integer> devices) {
		return unchangedSinceRead(library.loadModelOnDevices(devices, path, spec));
	}

	private Model unchangedSinceRead(Model model) {
		identity.changeOf(path).ifPresent(change -> {
			model.close();
			throw new IllegalStateException("model file " + path + " changed while it was being loaded (" + change
					+ "); load it again once it is complete");
		});
		return model;
	}
}
