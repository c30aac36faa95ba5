package dev.llcuda.hf;

import dev.llcuda.gguf.GgufWriter;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The hyper-parameters of {@code config.json} that become GGUF metadata, checked: what
 * the engine does not compute (another activation, attention biases on llama, a RoPE
 * scaling type other than linear, YaRN or llama3) is refused with the field named.
 *
 * @param headSize {@code head_dim}, else hidden size / heads
 * @param ropeScaling {@code rope_scaling}, when set
 * @param ropeFactors llama3 scaling's per-pair frequency factors (the
 * {@code rope_freqs.weight} llama.cpp's converter writes), empty otherwise
 */
record HfConfig(HfArchitecture architecture, int embedding, int layers, int heads, int kvHeads, int headSize,
		int feedForward, int context, int vocabulary, double ropeTheta, double rmsEpsilon, int slidingWindow,
		Optional<JsonObject> ropeScaling, float[] ropeFactors) {

	static HfConfig read(JsonObject json) throws IOException {
		List<?> classes = json.list("architectures");
		if (classes.size() != 1 || !(classes.get(0) instanceof String hfClass)) {
			throw json.error("architectures", "is " + classes + ", expected one model class");
		}
		HfArchitecture arch = HfArchitecture.byHfClass(hfClass)
			.orElseThrow(() -> json.error("architectures",
					"names " + hfClass + ", which is not supported (supported: " + HfArchitecture.supported() + ")"));
		String activation = json.optString("hidden_act").orElse("silu");
		if (!activation.equals("silu")) {
			throw json.error("hidden_act", "is '" + activation + "'; " + hfClass + " runs with silu only");
		}
		if (arch.ggufName().equals("llama") && (json.bool("attention_bias", false) || json.bool("mlp_bias", false))) {
			throw json.error(json.bool("attention_bias", false) ? "attention_bias" : "mlp_bias",
					"is true; llama layers with biases are not supported");
		}
		int embedding = json.positive("hidden_size");
		int heads = json.positive("num_attention_heads");
		int kvHeads = json.positive("num_key_value_heads", heads);
		if (heads % kvHeads != 0) {
			throw json.error("num_key_value_heads", "= " + kvHeads + " does not divide " + heads + " heads");
		}
		if (!json.has("head_dim") && embedding % heads != 0) {
			throw json.error("hidden_size", "= " + embedding + " is not a multiple of " + heads + " heads");
		}
		int headSize = json.positive("head_dim", embedding / heads);
		if (headSize % 2 != 0) {
			throw json.error("head_dim", "= " + headSize + " is odd; RoPE needs pairs");
		}
		double theta = json.real("rope_theta", 10000.0);
		double epsilon = json.real("rms_norm_eps", Double.NaN);
		if (!(theta > 0) || !(epsilon > 0)) {
			throw json.error(!(theta > 0) ? "rope_theta" : "rms_norm_eps", "must be a positive number");
		}
		int slidingWindow = 0;
		if (arch == HfArchitecture.MISTRAL && json.has("sliding_window")) {
			slidingWindow = json.positive("sliding_window");
		}
		if (json.bool("use_sliding_window", false)) {
			throw json.error("use_sliding_window", "is true; " + hfClass + " with a sliding window is not supported");
		}
		Optional<JsonObject> scaling = json.optObject("rope_scaling");
		float[] factors = scaling.isPresent() && ropeType(scaling.get()).equals("llama3")
				? llama3Factors(scaling.get(), theta, headSize) : new float[0];
		return new HfConfig(arch, embedding, json.positive("num_hidden_layers"), heads, kvHeads, headSize,
				json.positive("intermediate_size"), json.positive("max_position_embeddings"),
				json.positive("vocab_size"), theta, epsilon, slidingWindow, scaling, factors);
	}

	/**
	 * The architecture's GGUF keys ({@code llama.context_length}, ...), RoPE scaling
	 * included.
	 */
	void writeMetadata(GgufWriter writer) throws IOException {
		String p = architecture.ggufName() + ".";
		writer.putUint32(p + "context_length", context);
		writer.putUint32(p + "embedding_length", embedding);
		writer.putUint32(p + "block_count", layers);
		writer.putUint32(p + "feed_forward_length", feedForward);
		writer.putUint32(p + "attention.head_count", heads);
		writer.putUint32(p + "attention.head_count_kv", kvHeads);
		writer.putUint32(p + "attention.key_length", headSize);
		writer.putUint32(p + "attention.value_length", headSize);
		writer.putUint32(p + "rope.dimension_count", headSize);
		writer.putFloat32(p + "rope.freq_base", (float) ropeTheta);
		writer.putFloat32(p + "attention.layer_norm_rms_epsilon", (float) rmsEpsilon);
		writer.putUint32(p + "vocab_size", vocabulary);
		if (slidingWindow > 0) {
			writer.putUint32(p + "attention.sliding_window", slidingWindow);
		}
		if (ropeScaling.isPresent()) {
			writeRopeScaling(writer, p, ropeScaling.get());
		}
	}

	/**
	 * {@code rope_type} (or the older {@code type}) of a {@code rope_scaling} object,
	 * lower case.
	 */
	private static String ropeType(JsonObject scaling) throws IOException {
		String type = scaling.optString("rope_type").isPresent() ? scaling.string("rope_type")
				: scaling.optString("type").orElseThrow(() -> scaling.error("rope_type", "is missing"));
		return type.toLowerCase(Locale.ROOT);
	}

	private static void writeRopeScaling(GgufWriter writer, String p, JsonObject scaling) throws IOException {
		String type = ropeType(scaling);
		switch (type) {
			case "default" -> {
			}
			case "linear" -> {
				writer.putString(p + "rope.scaling.type", "linear");
				writer.putFloat32(p + "rope.scaling.factor", factor(scaling));
			}
			case "yarn" -> {
				writer.putString(p + "rope.scaling.type", "yarn");
				writer.putFloat32(p + "rope.scaling.factor", factor(scaling));
				writer.putUint32(p + "rope.scaling.original_context_length",
						scaling.positive("original_max_position_embeddings"));
				if (scaling.has("attention_factor")) {
					writer.putFloat32(p + "rope.scaling.attn_factor", (float) scaling.real("attention_factor", 1));
				}
				if (scaling.has("beta_fast")) {
					writer.putFloat32(p + "rope.scaling.yarn_beta_fast", (float) scaling.real("beta_fast", 32));
				}
				if (scaling.has("beta_slow")) {
					writer.putFloat32(p + "rope.scaling.yarn_beta_slow", (float) scaling.real("beta_slow", 1));
				}
			}
			// llama.cpp's converter writes llama3 scaling as the rope_freqs.weight tensor
			// alone (ropeFactors).
			case "llama3" -> {
			}
			default -> throw scaling.error("rope_type",
					"is '" + type + "', which is not supported (default, linear, yarn, llama3)");
		}
	}

	private static float factor(JsonObject scaling) throws IOException {
		double factor = scaling.real("factor", Double.NaN);
		if (!(factor >= 1)) {
			throw scaling.error("factor", "must be a number >= 1");
		}
		return (float) factor;
	}

	/**
	 * Llama 3.1's frequency factors per RoPE pair, as llama.cpp's converter computes
	 * them: 1 for wavelengths below original context / high_freq_factor, {@code factor}
	 * above original context / low_freq_factor, a smooth blend between.
	 */
	private static float[] llama3Factors(JsonObject scaling, double theta, int headSize) throws IOException {
		double factor = scaling.real("factor", 8.0);
		double low = scaling.real("low_freq_factor", 1.0);
		double high = scaling.real("high_freq_factor", 4.0);
		double original = scaling.positive("original_max_position_embeddings", 8192);
		if (!(factor > 0) || !(low > 0) || !(high > low)) {
			throw scaling.error("factor", "llama3 scaling needs factor > 0 and high_freq_factor > low_freq_factor > 0");
		}
		double lowWavelength = original / low;
		double highWavelength = original / high;
		float[] factors = new float[headSize / 2];
		for (int i = 0; i < factors.length; i++) {
			float frequency = (float) (1.0 / Math.pow(theta, (2.0 * i) / headSize));
			double wavelength = 2 * Math.PI / frequency;
			if (wavelength < highWavelength) {
				factors[i] = 1f;
			}
			else if (wavelength > lowWavelength) {
				factors[i] = (float) factor;
			}
			else {
				double smooth = (original / wavelength - low) / (high - low);
				factors[i] = (float) (1 / ((1 - smooth) / factor + smooth));
			}
		}
		return factors;
	}
}
