package dev.llcuda.hf;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.safetensors.SafetensorsDtype;
import dev.llcuda.safetensors.SafetensorsFile;
import dev.llcuda.safetensors.SafetensorsTensor;
import dev.llcuda.template.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A LoRA adapter in Hugging Face PEFT form, a directory of {@code adapter_config.json}
 * and {@code adapter_model.safetensors}, rewritten as the GGUF adapter llama.cpp's
 * converter would write: {@code lora_A} [r, in] becomes {@code .lora_a}, {@code lora_B}
 * [out, r] {@code .lora_b} (the same bytes: safetensors' row-major [r, in] is GGUF's ne
 * [in, r]), alpha from {@code lora_alpha} (times sqrt(r) with {@code use_rslora}, whose
 * scale is alpha / sqrt(r)), and, where the converter permutes the base's q and k rows,
 * the rows of the q and k {@code lora_B} permuted the same way. Whatever changes the
 * adapter's math beyond that is refused naming the field or tensor.
 */
public final class PeftAdapter {

	public static final String CONFIG = "adapter_config.json";

	public static final String WEIGHTS = "adapter_model.safetensors";

	/**
	 * The PEFT module names of the attention and FFN projections, the ones the engine
	 * adapts.
	 */
	private static final Set<String> MODULES = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
			"down_proj");

	/**
	 * PEFT's name of a pair's tensor: the base weight's name with
	 * {@code lora_A}/{@code lora_B} before {@code weight}.
	 */
	private static final Pattern TENSOR = Pattern
		.compile("(?:base_model\\.model\\.)?(.+\\.(\\w+))\\.lora_([AB])\\.weight");

	private PeftAdapter() {
	}

	/** Whether {@code path} is a PEFT adapter directory (it holds {@value #CONFIG}). */
	public static boolean isPeftDirectory(Path path) {
		return Files.isDirectory(path) && Files.isRegularFile(path.resolve(CONFIG));
	}

	/**
	 * The facts of the adapter in {@code dir} without a base: its rank set, its weights'
	 * headers read. The architecture is "" (PEFT does not name one; whether it fits a
	 * base is checked against that base), the weight type its first tensor's dtype.
	 * @throws IOException naming the file and field when it is no LoRA adapter
	 */
	public static CheckpointFacts inspect(Path dir) throws IOException {
		JsonObject config = config(dir.resolve(CONFIG));
		config.positive("r");
		Path weights = dir.resolve(WEIGHTS);
		if (!Files.isRegularFile(weights)) {
			throw new IOException(dir + " has no " + WEIGHTS);
		}
		try (SafetensorsFile file = SafetensorsFile.open(weights)) {
			if (file.tensors().isEmpty()) {
				throw new IOException(weights + ": the adapter has no tensors");
			}
			long parameters = file.tensors().stream().mapToLong(SafetensorsTensor::elementCount).sum();
			return new CheckpointFacts(String.valueOf(dir.toAbsolutePath().normalize().getFileName()), "",
					file.tensors().get(0).dtype().name(), parameters, 0);
		}
	}

	/** Bytes of the adapter's tensors. */
	public static long tensorBytes(Path dir) throws IOException {
		try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
			return weights.tensors().stream().mapToLong(t -> t.elementCount() * t.dtype().bytes()).sum();
		}
	}

	/**
	 * Writes the adapter in {@code dir} for a model of {@code base} as a GGUF adapter
	 * file {@code out}.
	 * @throws IOException naming the file and the field or tensor when the adapter cannot
	 * be served
	 */
	public static void writeGguf(Path dir, ModelSpec base, Path out) throws IOException {
		String ggufName = base.architecture().ggufName();
		HfArchitecture arch = HfArchitecture.byGgufName(ggufName)
			.orElseThrow(
					() -> new IOException(dir + ": PEFT adapters are read for bases of the converted architectures ("
							+ HfArchitecture.supported() + "), not " + ggufName));
		JsonObject config = config(dir.resolve(CONFIG));
		long rank = config.positive("r");
		double alpha = config.real("lora_alpha", 8.0);
		boolean rsLora = config.bool("use_rslora", false);
		Set<String> targets = targetModules(config);
		try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
			GgufWriter writer = new GgufWriter().putString("general.architecture", ggufName)
				.putString("general.type", "adapter")
				.putString("adapter.type", "lora")
				.putFloat32("adapter.lora.alpha", (float) (rsLora ? alpha * Math.sqrt(rank) : alpha));
			for (SafetensorsTensor tensor : weights.tensors()) {
				addPair(writer, weights, tensor, arch, base, rank, targets);
			}
			writer.write(out);
		}
	}

	private static void addPair(GgufWriter writer, SafetensorsFile weights, SafetensorsTensor tensor,
			HfArchitecture arch, ModelSpec base, long rank, Set<String> targets) throws IOException {
		String where = weights.path() + ": tensor '" + tensor.name() + "'";
		Matcher name = TENSOR.matcher(tensor.name());
		String weight = name.matches() && MODULES.contains(name.group(2))
				? HfTensorNames.gguf(name.group(1) + ".weight").orElse(null) : null;
		if (weight == null) {
			throw new IOException(where + " is not the lora_A or lora_B of an attention or FFN projection ("
					+ String.join(", ", MODULES.stream().sorted().toList()) + ") of a layer");
		}
		if (!targets.contains(name.group(2))) {
			throw new IOException(where + " belongs to " + name.group(2) + ", which target_modules does not name");
		}
		boolean isA = name.group(3).equals("A");
		long[] shape = tensor.shape();
		if (shape.length != 2 || shape[isA ? 0 : 1] != rank) {
			throw new IOException(where + " has shape " + Arrays.toString(shape) + "; lora_" + name.group(3)
					+ " must be " + (isA ? "[r, in]" : "[out, r]") + " with r = " + rank);
		}
		SafetensorsDtype dtype = tensor.dtype();
		if (!(dtype == SafetensorsDtype.F32 || dtype == SafetensorsDtype.F16 || dtype == SafetensorsDtype.BF16)) {
			throw new IOException(where + " has dtype " + dtype + "; F32, F16 or BF16 are read");
		}
		byte[] data = new byte[Math.toIntExact(tensor.elementCount() * dtype.bytes())];
		weights.bytes(tensor).get(data);
		GgmlType type = dtype.ggmlType().orElseThrow();
		int heads = weight.endsWith("attn_q.weight") ? base.heads()
				: weight.endsWith("attn_k.weight") ? base.kvHeads() : 0;
		if (!isA && heads > 0 && arch.permutesQueryKey()) {
			data = ropeOrder(data, shape[0], heads, where);
		}
		writer.addTensor(weight + ".lora_" + (isA ? "a" : "b"), type, tensor.ggufDims(), data);
	}

	/**
	 * The rows of a q or k lora_B in the order the converter gives the base's q and k
	 * rows.
	 */
	private static byte[] ropeOrder(byte[] data, long rows, int heads, String where) throws IOException {
		if (rows % (2L * heads) != 0) {
			throw new IOException(where + " has " + rows + " rows, not pairs of rows for each of " + heads + " heads");
		}
		int rowBytes = (int) (data.length / rows);
		long headRows = rows / heads;
		byte[] out = new byte[data.length];
		ByteBuffer source = ByteBuffer.wrap(data);
		for (long row = 0; row < rows; row++) {
			source.get((int) (HfArchitecture.huggingFaceRow(row, headRows) * rowBytes), out, (int) (row * rowBytes),
					rowBytes);
		}
		return out;
	}

	private static JsonObject config(Path path) throws IOException {
		JsonObject config = JsonObject.read(path);
		String type = config.optString("peft_type").orElse("LORA");
		if (!type.equals("LORA")) {
			throw config.error("peft_type", "is " + type + "; only LORA adapters are supported");
		}
		refuseUnless(config, "use_dora", Boolean.FALSE::equals, "DoRA is not supported");
		refuseUnless(config, "fan_in_fan_out", Boolean.FALSE::equals, "the fan-in-fan-out layout is not supported");
		refuseUnless(config, "bias", "none"::equals, "trained biases are not supported");
		refuseUnless(config, "rank_pattern", v -> v instanceof Map<?, ?> m && m.isEmpty(),
				"per-module ranks are not supported");
		refuseUnless(config, "alpha_pattern", v -> v instanceof Map<?, ?> m && m.isEmpty(),
				"per-module alphas are not supported");
		refuseUnless(config, "modules_to_save", v -> v instanceof List<?> l && l.isEmpty(),
				"fully trained extra modules are not supported");
		refuseUnless(config, "layers_to_transform", v -> false, "adapters of a subset of layers are not supported");
		return config;
	}

	/**
	 * A field that changes the adapter's math is refused unless absent, null or
	 * {@code ok}.
	 */
	private static void refuseUnless(JsonObject config, String key, Predicate<Object> ok, String why)
			throws IOException {
		Object value = config.raw(key);
		if (value != null && !ok.test(value)) {
			throw config.error(key, "= " + Json.write(value) + ": " + why);
		}
	}

	private static Set<String> targetModules(JsonObject config) throws IOException {
		Object value = config.raw("target_modules");
		if ("all-linear".equals(value)) {
			return MODULES;
		}
		List<?> modules = value instanceof String one ? List.of(one) : value instanceof List<?> list ? list : List.of();
		if (modules.isEmpty()) {
			throw config.error("target_modules", "must name the projections the adapter trains");
		}
		for (Object module : modules) {
			if (!MODULES.contains(String.valueOf(module))) {
				throw config.error("target_modules",
						"names '" + module + "'; adapters of the attention and FFN projections ("
								+ String.join(", ", MODULES.stream().sorted().toList()) + ") are supported");
			}
		}
		return modules.stream().map(String::valueOf).collect(Collectors.toUnmodifiableSet());
	}

}
