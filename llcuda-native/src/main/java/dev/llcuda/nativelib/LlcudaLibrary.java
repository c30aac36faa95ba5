package dev.llcuda.nativelib;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import org.jspecify.annotations.NullUnmarked;

/**
 * The JNA mirror of {@code llcuda.h}: one method per C function, one structure per C
 * struct, in the header's order and with its names. Handles are plain {@link Pointer}s
 * here; the {@link Backend}, {@link Model} and {@link KvCache} types own them.
 * Null-unmarked: any C pointer (and so any field or argument here) may be NULL.
 */
@NullUnmarked
public interface LlcudaLibrary extends Library {

	/** {@code LLCUDA_ABI_VERSION} of the header this interface mirrors. */
	int ABI_VERSION = 3;

	// ------------------------------------------------------------ library

	int llcuda_abi_version();

	String llcuda_build_info();

	String llcuda_last_error();

	// ------------------------------------------------------------ devices

	/** {@code llcuda_device_info}. */
	@Structure.FieldOrder({ "name", "uuid", "kind", "device", "compute_major", "compute_minor", "multiprocessors",
			"driver_version", "memory_total", "memory_free" })
	final class DeviceInfoStruct extends Structure {

		public byte[] name = new byte[256];

		public byte[] uuid = new byte[64];

		public int kind;

		public int device;

		public int compute_major;

		public int compute_minor;

		public int multiprocessors;

		public int driver_version;

		public long memory_total;

		public long memory_free;

	}

	int llcuda_cuda_device_count(byte[] reason, long reasonCapacity);

	int llcuda_cuda_device_info(int device, DeviceInfoStruct out);

	// ------------------------------------------------------------ backend

	int llcuda_backend_create(int kind, int device, int nThreads, PointerByReference out);

	void llcuda_backend_free(Pointer backend);

	String llcuda_backend_last_error(Pointer backend);

	int llcuda_backend_info(Pointer backend, DeviceInfoStruct out);

	// ------------------------------------------------------------ model

	/** {@code llcuda_tensor_desc}. */
	@Structure.FieldOrder({ "name", "type", "n_dims", "ne", "offset", "size" })
	final class TensorDescStruct extends Structure {

		public Pointer name;

		public int type;

		public int n_dims;

		public long[] ne = new long[4];

		public long offset;

		public long size;

		public TensorDescStruct() {
		}

		public TensorDescStruct(Pointer memory) {
			super(memory);
		}

	}

	/** {@code llcuda_model_spec}. */
	@Structure.FieldOrder({ "arch", "n_vocab", "n_embd", "n_layer", "n_head", "n_head_kv", "head_dim", "n_ff", "n_ctx",
			"rope_type", "rope_dim", "rope_theta", "rope_freq_scale", "rms_eps", "n_tensors", "tensors", "rope_scaling",
			"rope_orig_ctx", "yarn_ext_factor", "yarn_beta_fast", "yarn_beta_slow", "rope_attn_factor", "attn_scale",
			"attn_softcap", "final_softcap", "embd_scale", "sliding_window", "sliding_pattern", "rope_theta_sliding",
			"rope_freq_scale_sliding", "pooling_type", "n_expert", "n_expert_used", "n_ff_expert" })
	final class ModelSpecStruct extends Structure {

		public int arch;

		public int n_vocab;

		public int n_embd;

		public int n_layer;

		public int n_head;

		public int n_head_kv;

		public int head_dim;

		public int n_ff;

		public int n_ctx;

		public int rope_type;

		public int rope_dim;

		public float rope_theta;

		public float rope_freq_scale;

		public float rms_eps;

		public int n_tensors;

		public Pointer tensors;

		public int rope_scaling;

		public int rope_orig_ctx;

		public float yarn_ext_factor;

		public float yarn_beta_fast;

		public float yarn_beta_slow;

		public float rope_attn_factor;

		public float attn_scale;

		public float attn_softcap;

		public float final_softcap;

		public float embd_scale;

		public int sliding_window;

		public int sliding_pattern;

		public float rope_theta_sliding;

		public float rope_freq_scale_sliding;

		public int pooling_type;

		public int n_expert;

		public int n_expert_used;

		public int n_ff_expert;

	}

	int llcuda_model_load(Pointer backend, String ggufPath, ModelSpecStruct spec, PointerByReference out);

	void llcuda_model_free(Pointer model);

	String llcuda_model_last_error(Pointer model);

	int llcuda_model_weight_bytes(Pointer model, LongByReference out);

	// ------------------------------------------------------------ paged KV cache

	int llcuda_kv_cache_bytes(Pointer model, int nBlocks, int blockSize, int kvType, LongByReference out);

	int llcuda_kv_cache_create(Pointer model, int nBlocks, int blockSize, int kvType, PointerByReference out);

	void llcuda_kv_cache_free(Pointer cache);

	String llcuda_kv_cache_last_error(Pointer cache);

	// ------------------------------------------------------------ one step

	/** {@code llcuda_sampling_params}. */
	@Structure.FieldOrder({ "temperature", "top_k", "top_p", "min_p", "repetition_penalty", "frequency_penalty",
			"presence_penalty", "seed" })
	final class SamplingParamsStruct extends Structure {

		public float temperature;

		public int top_k;

		public float top_p;

		public float min_p;

		public float repetition_penalty;

		public float frequency_penalty;

		public float presence_penalty;

		public long seed;

		public SamplingParamsStruct() {
		}

		public SamplingParamsStruct(Pointer memory) {
			super(memory);
		}

		/** Byte offset of {@code field} in the native struct. */
		int offsetOf(String field) {
			return fieldOffset(field);
		}

	}

	/** {@code llcuda_batch}. */
	@Structure.FieldOrder({ "n_tokens", "tokens", "positions", "seq_ids", "n_seqs", "max_blocks_per_seq",
			"block_tables", "sample", "sampling", "history_offsets", "history", "logits_rows", "allowed_words",
			"allowed_tokens", "n_adapters", "adapters", "seq_adapters", "n_top_logprobs", "adapter_stack_offsets",
			"adapter_stack", "adapter_stack_scales", "logprob_seqs" })
	final class BatchStruct extends Structure {

		public int n_tokens;

		public Pointer tokens;

		public Pointer positions;

		public Pointer seq_ids;

		public int n_seqs;

		public int max_blocks_per_seq;

		public Pointer block_tables;

		public Pointer sample;

		public Pointer sampling;

		public Pointer history_offsets;

		public Pointer history;

		public Pointer logits_rows;

		public int allowed_words;

		public Pointer allowed_tokens;

		public int n_adapters;

		public Pointer adapters;

		public Pointer seq_adapters;

		public int n_top_logprobs;

		public Pointer adapter_stack_offsets;

		public Pointer adapter_stack;

		public Pointer adapter_stack_scales;

		public Pointer logprob_seqs;

	}

	/** {@code llcuda_step_output}. */
	@Structure.FieldOrder({ "sampled", "logprobs", "logits", "logits_capacity", "model_logprobs", "top_tokens",
			"top_logprobs" })
	final class StepOutputStruct extends Structure {

		public Pointer sampled;

		public Pointer logprobs;

		public Pointer logits;

		public long logits_capacity;

		public Pointer model_logprobs;

		public Pointer top_tokens;

		public Pointer top_logprobs;

	}

	int llcuda_step(Pointer model, Pointer cache, BatchStruct batch, StepOutputStruct out);

	// ------------------------------------------------------------ embeddings

	int llcuda_embed(Pointer model, int nSeqs, int[] seqOffsets, int[] tokens, int nTokens, float[] out,
			long outCapacity);

	// ------------------------------------------------------------ utilities

	int llcuda_quantize(int type, float[] src, long n, byte[] dst, long dstCapacity, LongByReference written);

	int llcuda_dequantize(int type, byte[] src, long srcSize, long n, float[] dst);

	// ------------------------------------------------------------ LoRA adapters

	/** {@code llcuda_adapter_spec}. */
	@Structure.FieldOrder({ "alpha", "user_scale", "n_tensors", "tensors" })
	final class AdapterSpecStruct extends Structure {

		public float alpha;

		public float user_scale;

		public int n_tensors;

		public Pointer tensors;

	}

	int llcuda_adapter_load(Pointer model, String path, AdapterSpecStruct spec, PointerByReference out);

	void llcuda_adapter_free(Pointer adapter);

	String llcuda_adapter_last_error(Pointer adapter);

	int llcuda_adapter_bytes(Pointer adapter, LongByReference out);

	// ------------------------------------------------------------ load progress

	/** {@code llcuda_load_progress_fn}. */
	interface LoadProgressCallback extends Callback {

		void invoke(long done, long total, Pointer userData);

	}

	int llcuda_model_load_with_progress(Pointer backend, String ggufPath, ModelSpecStruct spec,
			LoadProgressCallback progress, Pointer userData, PointerByReference out);

	// ------------------------------------------------------------ several devices

	int llcuda_model_load_on_devices(int[] devices, int nDevices, String ggufPath, ModelSpecStruct spec,
			PointerByReference out);

}
