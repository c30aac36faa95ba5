package dev.llcuda.model;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufMetadata;
import dev.llcuda.gguf.TensorInfo;
import java.util.List;

/**
 * What a LoRA adapter file in GGUF form says, as llama.cpp's
 * {@code convert_lora_to_gguf.py} writes it: {@code general.type = adapter},
 * {@code adapter.type = lora}, the architecture it was trained for,
 * {@code adapter.lora.alpha} and the {@code <base tensor>.lora_a / .lora_b} pairs. The
 * native library checks each tensor against the base model's (names, shapes, types).
 *
 * @param architecture the base architecture the adapter was trained on
 * @param alpha {@code adapter.lora.alpha}; 0 when the file has none (the scale is then
 * the user's alone)
 * @param tensors the file's tensor table
 */
public record AdapterSpec(Architecture architecture, float alpha, List<TensorInfo> tensors) {

	public AdapterSpec {
		tensors = List.copyOf(tensors);
	}

	/**
	 * Reads the adapter in {@code file} for a model of {@code base}.
	 * @throws GgufFormatException naming the file and key when the file is no LoRA
	 * adapter or was trained for another architecture
	 */
	public static AdapterSpec from(GgufFile file, ModelSpec base) throws GgufFormatException {
		GgufMetadata metadata = file.metadata();
		String type = metadata.string("general.type").orElse("model");
		if (!type.equals("adapter")) {
			throw refusal(file, "general.type is '" + type + "', not 'adapter': it is no adapter file");
		}
		String adapterType = metadata.string("adapter.type").orElse("(missing)");
		if (!adapterType.equals("lora")) {
			throw refusal(file, "adapter.type is '" + adapterType + "'; only 'lora' adapters are supported");
		}
		String architecture = metadata.requireString("general.architecture");
		if (!architecture.equals(base.architecture().ggufName())) {
			throw refusal(file, "general.architecture is '" + architecture + "' but the model is '"
					+ base.architecture().ggufName() + "'");
		}
		double alpha = metadata.real("adapter.lora.alpha").orElse(0.0);
		if (!Double.isFinite(alpha)) {
			throw refusal(file, "adapter.lora.alpha is " + alpha);
		}
		if (file.tensors().isEmpty()) {
			throw refusal(file, "the adapter has no tensors");
		}
		return new AdapterSpec(base.architecture(), (float) alpha, file.tensors());
	}

	private static GgufFormatException refusal(GgufFile file, String problem) {
		return new GgufFormatException(file.path(), GgufFormatException.NO_OFFSET, problem);
	}
}
