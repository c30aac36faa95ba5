package dev.llcuda.hf;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face tensor names of the converted architectures and the GGUF names llama.cpp's
 * converter gives them.
 */
final class HfTensorNames {

	private static final Map<String, String> GLOBAL = Map.of("model.embed_tokens.weight", "token_embd.weight",
			"model.norm.weight", "output_norm.weight", "lm_head.weight", "output.weight");

	private static final Map<String, String> LAYER = Map.ofEntries(
			Map.entry("input_layernorm.weight", "attn_norm.weight"),
			Map.entry("self_attn.q_proj.weight", "attn_q.weight"),
			Map.entry("self_attn.k_proj.weight", "attn_k.weight"),
			Map.entry("self_attn.v_proj.weight", "attn_v.weight"), Map.entry("self_attn.q_proj.bias", "attn_q.bias"),
			Map.entry("self_attn.k_proj.bias", "attn_k.bias"), Map.entry("self_attn.v_proj.bias", "attn_v.bias"),
			Map.entry("self_attn.q_norm.weight", "attn_q_norm.weight"),
			Map.entry("self_attn.k_norm.weight", "attn_k_norm.weight"),
			Map.entry("self_attn.o_proj.weight", "attn_output.weight"),
			Map.entry("post_attention_layernorm.weight", "ffn_norm.weight"),
			Map.entry("mlp.gate_proj.weight", "ffn_gate.weight"), Map.entry("mlp.up_proj.weight", "ffn_up.weight"),
			Map.entry("mlp.down_proj.weight", "ffn_down.weight"));

	/**
	 * Old checkpoints store RoPE's inverse frequencies; they follow from the config and
	 * are not weights.
	 */
	private static final String ROTARY_INV_FREQ = "self_attn.rotary_emb.inv_freq";

	private static final Pattern LAYER_NAME = Pattern.compile("model\\.layers\\.(\\d{1,6})\\.(.+)");

	private HfTensorNames() {
	}

	/**
	 * Whether the tensor holds no weights the GGUF file needs (RoPE inverse frequencies).
	 */
	static boolean derived(String hfName) {
		Matcher m = LAYER_NAME.matcher(hfName);
		return m.matches() && m.group(2).equals(ROTARY_INV_FREQ);
	}

	/**
	 * The GGUF name of {@code hfName}, or empty if it is not one of the converted
	 * architectures' tensors.
	 */
	static Optional<String> gguf(String hfName) {
		String global = GLOBAL.get(hfName);
		if (global != null) {
			return Optional.of(global);
		}
		Matcher m = LAYER_NAME.matcher(hfName);
		if (!m.matches() || !LAYER.containsKey(m.group(2))) {
			return Optional.empty();
		}
		return Optional.of("blk." + Integer.parseInt(m.group(1)) + "." + LAYER.get(m.group(2)));
	}

}
