package dev.llcuda.engine;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.AdapterSpec;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Adapter;
import dev.llcuda.nativelib.Model;
import dev.llcuda.hf.PeftAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a LoRA adapter onto a model from either form: a GGUF adapter file (llama.cpp's
 * converter) or a PEFT directory ({@code adapter_config.json} and
 * {@code adapter_model.safetensors}), which is first rewritten as the GGUF file the
 * converter would write (a temporary file, deleted once the native side has copied the
 * tensors).
 */
public final class AdapterLoader {

	private AdapterLoader() {
	}

	/**
	 * @param scale the user's factor on top of the adapter's alpha / rank
	 * @throws IOException when the adapter cannot be read or is not one for {@code spec},
	 * naming the file
	 * @throws RuntimeException from the native library when a tensor does not fit the
	 * model, naming it
	 */
	public static Adapter load(Model model, ModelSpec spec, Path path, float scale) throws IOException {
		if (!PeftAdapter.isPeftDirectory(path)) {
			return loadGguf(model, spec, path, scale);
		}
		Path gguf = Files.createTempFile("llcuda-peft-adapter-", ".gguf");
		try {
			PeftAdapter.writeGguf(path, spec, gguf);
			return loadGguf(model, spec, gguf, scale);
		}
		catch (RuntimeException e) {
			throw new IllegalArgumentException("PEFT adapter " + path + ": " + e.getMessage(), e);
		}
		finally {
			Files.deleteIfExists(gguf);
		}
	}

	/** Bytes of the adapter's tensors in either form. */
	public static long tensorBytes(Path path) throws IOException {
		if (PeftAdapter.isPeftDirectory(path)) {
			return PeftAdapter.tensorBytes(path);
		}
		try (GgufFile file = GgufFile.open(path)) {
			return file.tensors().stream().mapToLong(TensorInfo::byteSize).sum();
		}
	}

	private static Adapter loadGguf(Model model, ModelSpec spec, Path path, float scale) throws IOException {
		try (GgufFile file = GgufFile.open(path)) {
			return model.loadAdapter(path, AdapterSpec.from(file, spec), scale);
		}
	}

}
