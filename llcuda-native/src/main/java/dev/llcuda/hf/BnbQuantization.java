package dev.llcuda.hf;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code config.json}'s {@code quantization_config} of a bitsandbytes 4-bit checkpoint
 * (as transformers and Unsloth write it), checked: llcuda reads NF4 weights only, so
 * 8-bit, FP4, a storage type other than uint8 and any field it does not know are refused
 * with the field named. The compute dtype and double quantization need no choice here:
 * each weight's quant state says how it is stored and llcuda computes in float.
 */
final class BnbQuantization {

	private static final String KEY = "quantization_config";

	private static final Set<String> KNOWN = Set.of("quant_method", "load_in_4bit", "load_in_8bit", "_load_in_4bit",
			"_load_in_8bit", "bnb_4bit_quant_type", "bnb_4bit_use_double_quant", "bnb_4bit_compute_dtype",
			"bnb_4bit_quant_storage", "llm_int8_enable_fp32_cpu_offload", "llm_int8_has_fp16_weight",
			"llm_int8_skip_modules", "llm_int8_threshold");

	private static final List<String> COMPUTE_DTYPES = List.of("float32", "float16", "bfloat16");

	private BnbQuantization() {
	}

	/**
	 * Whether the config states a bitsandbytes NF4 checkpoint; without
	 * quantization_config: false.
	 */
	static boolean read(JsonObject config) throws IOException {
		Optional<JsonObject> found = config.optObject(KEY);
		if (found.isEmpty()) {
			return false;
		}
		JsonObject q = found.get();
		Set<String> unknown = new TreeSet<>(q.fields().keySet());
		unknown.removeAll(KNOWN);
		if (!unknown.isEmpty()) {
			throw q.error(unknown.iterator().next(),
					"is not a bitsandbytes 4-bit setting llcuda knows (unknown: " + unknown + ")");
		}
		String method = q.optString("quant_method").orElse("bitsandbytes");
		if (!method.equals("bitsandbytes")) {
			throw q.error("quant_method", "is '" + method + "'; only bitsandbytes 4-bit checkpoints convert");
		}
		if (q.bool("load_in_8bit", false) || q.bool("_load_in_8bit", false)) {
			throw q.error(q.bool("load_in_8bit", false) ? "load_in_8bit" : "_load_in_8bit",
					"is true; bitsandbytes 8-bit weights are not supported (4-bit NF4 only)");
		}
		if (!(q.bool("load_in_4bit", false) || q.bool("_load_in_4bit", false))) {
			throw q.error("load_in_4bit", "is not true; only bitsandbytes 4-bit checkpoints convert");
		}
		String type = q.optString("bnb_4bit_quant_type").orElse("fp4");
		if (!type.equals("nf4")) {
			throw q.error("bnb_4bit_quant_type", "is '" + type + "'; llcuda runs NF4 only");
		}
		String storage = q.optString("bnb_4bit_quant_storage").orElse("uint8");
		if (!storage.equals("uint8")) {
			throw q.error("bnb_4bit_quant_storage", "is '" + storage + "'; the packed weights must be uint8");
		}
		String compute = q.optString("bnb_4bit_compute_dtype").orElse("float32");
		if (!COMPUTE_DTYPES.contains(compute)) {
			throw q.error("bnb_4bit_compute_dtype", "is '" + compute + "', not one of " + COMPUTE_DTYPES);
		}
		q.bool("bnb_4bit_use_double_quant", false); // read for its type: each weight's
													// quant state says if nested
		return true;
	}

}
