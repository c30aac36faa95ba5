package dev.llcuda.nativelib;

import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.FamilyParameters;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.model.RopeScaling;
import java.util.List;

/**
 * The native {@code llcuda_model_spec} of a {@link ModelSpec}: hyper-parameters and the
 * tensor table with NUL-terminated names, in native memory held by this object while a
 * load uses it.
 */
final class NativeModelSpec {

	private final LlcudaLibrary.ModelSpecStruct struct = new LlcudaLibrary.ModelSpecStruct();

	private final NativeTensorTable table;

	NativeModelSpec(ModelSpec spec) {
		List<TensorInfo> tensors = spec.tensors();
		struct.arch = spec.architecture().abiValue();
		struct.n_vocab = spec.vocabSize();
		struct.n_embd = spec.embeddingSize();
		struct.n_layer = spec.layers();
		struct.n_head = spec.heads();
		struct.n_head_kv = spec.kvHeads();
		struct.head_dim = spec.headSize();
		struct.n_ff = spec.feedForwardSize();
		struct.n_ctx = spec.contextLength();
		struct.rope_type = spec.ropeType().abiValue();
		struct.rope_dim = spec.ropeDimensions();
		struct.rope_theta = spec.ropeTheta();
		struct.rope_freq_scale = spec.ropeFreqScale();
		struct.rms_eps = spec.normEpsilon();
		RopeScaling scaling = spec.ropeScaling();
		boolean yarn = scaling.type() == RopeScaling.Type.YARN;
		struct.rope_scaling = scaling.type().abiValue();
		boolean longRope = scaling.type() == RopeScaling.Type.LONGROPE;
		struct.rope_orig_ctx = yarn || longRope ? scaling.originalContext() : 0;
		struct.yarn_ext_factor = yarn ? 1f : 0f;
		struct.yarn_beta_fast = scaling.betaFast();
		struct.yarn_beta_slow = scaling.betaSlow();
		struct.rope_attn_factor = scaling.attnFactor();
		FamilyParameters family = spec.family();
		struct.attn_scale = family.attentionScale();
		struct.attn_softcap = family.attentionSoftcap();
		struct.final_softcap = family.finalSoftcap();
		struct.embd_scale = family.embeddingScale();
		struct.sliding_window = family.slidingWindow();
		struct.sliding_pattern = family.slidingPattern();
		struct.rope_theta_sliding = family.slidingRopeTheta();
		struct.rope_freq_scale_sliding = family.slidingRopeFreqScale();
		struct.n_tensors = tensors.size();
		struct.pooling_type = spec.pooling().abiValue();
		struct.n_expert = spec.experts().count();
		struct.n_expert_used = spec.experts().used();
		struct.n_ff_expert = spec.experts().feedForward();
		table = new NativeTensorTable(tensors);
		struct.tensors = table.pointer();
	}

	LlcudaLibrary.ModelSpecStruct struct() {
		return struct;
	}

}
