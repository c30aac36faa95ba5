package dev.llcuda.nativelib;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.llcuda.model.AdapterSpec;
import dev.llcuda.model.ModelSpec;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** A model loaded on a backend: creates KV caches and runs steps. */
public final class Model extends NativeHandle {

	private final int vocabSize;

	private final int contextLength;

	private final int embeddingSize;

	private final int kvWindow;

	private Model(LlcudaLibrary api, Pointer handle, int vocabSize, int contextLength, int embeddingSize,
			int kvWindow) {
		super(api, handle, "model");
		this.vocabSize = vocabSize;
		this.contextLength = contextLength;
		this.embeddingSize = embeddingSize;
		this.kvWindow = kvWindow;
	}

	/** The handle of {@code spec}'s model, just loaded. */
	static Model loaded(LlcudaLibrary api, Pointer handle, ModelSpec spec) {
		return new Model(api, handle, spec.vocabSize(), spec.contextLength(), spec.embeddingSize(),
				spec.family().windowOfEveryLayer());
	}

	/**
	 * Positions a query sees in every layer when all layers slide (keys older than that
	 * are never read), else 0.
	 */
	public int kvWindow() {
		return kvWindow;
	}

	public int vocabSize() {
		return vocabSize;
	}

	/** The context length the caches of this model are limited to. */
	public int contextLength() {
		return contextLength;
	}

	/** Bytes of backend memory the weights occupy. */
	public long weightBytes() {
		LongByReference out = new LongByReference();
		check(api.llcuda_model_weight_bytes(pointer(), out));
		return out.getValue();
	}

	/**
	 * Bytes a cache of {@code blocks} blocks of {@code blockSize} positions would take.
	 * @param kvType element type, as the C ABI's {@code kv_type}
	 * ({@code KvType.abiValue()})
	 */
	public long kvCacheBytes(int blocks, int blockSize, int kvType) {
		LongByReference out = new LongByReference();
		check(api.llcuda_kv_cache_bytes(pointer(), blocks, blockSize, kvType, out));
		return out.getValue();
	}

	/**
	 * @param kvType element type, as the C ABI's {@code kv_type}
	 * ({@code KvType.abiValue()})
	 */
	public KvCache createKvCache(int blocks, int blockSize, int kvType) {
		PointerByReference out = new PointerByReference();
		check(api.llcuda_kv_cache_create(pointer(), blocks, blockSize, kvType, out));
		return new KvCache(api, out.getValue(), blocks, blockSize);
	}

	/**
	 * Runs the forward pass of {@code batch}, writes its K/V into {@code cache} and fills
	 * {@code output} with the sampled tokens and requested logits.
	 * @throws NativeException naming what is wrong when the batch is refused or the step
	 * fails
	 */
	public void step(KvCache cache, Batch batch, StepOutput output) {
		LlcudaLibrary.BatchStruct struct = batch.marshal();
		LlcudaLibrary.StepOutputStruct out = output.prepare(batch, vocabSize);
		check(api.llcuda_step(pointer(), cache.pointer(), struct, out));
	}

	/**
	 * Embeds {@code inputs} (token ids of each) of an encoder model in one native call,
	 * packed without padding: one pooled, L2-normalised vector of {@code n_embd} floats
	 * per input.
	 * @throws NativeException naming what is wrong when the model is no encoder or an
	 * input is refused
	 */
	public float[][] embed(List<int[]> inputs) {
		int[] offsets = new int[inputs.size() + 1];
		for (int i = 0; i < inputs.size(); i++) {
			offsets[i + 1] = Math.addExact(offsets[i], inputs.get(i).length);
		}
		int[] tokens = new int[offsets[inputs.size()]];
		for (int i = 0; i < inputs.size(); i++) {
			System.arraycopy(inputs.get(i), 0, tokens, offsets[i], inputs.get(i).length);
		}
		float[] out = new float[Math.multiplyExact(inputs.size(), embeddingSize)];
		check(api.llcuda_embed(pointer(), inputs.size(), offsets, tokens, tokens.length, out, out.length));
		float[][] vectors = new float[inputs.size()][];
		for (int i = 0; i < inputs.size(); i++) {
			vectors[i] = Arrays.copyOfRange(out, i * embeddingSize, (i + 1) * embeddingSize);
		}
		return vectors;
	}

	/**
	 * Has the native side check the adapter in {@code file} against this model and copy
	 * its tensors into memory the adapter owns; a sequence run with it computes
	 * {@code W x + scale B (A x)} with {@code scale = userScale * alpha / rank}
	 * (userScale alone when the file has no alpha).
	 * @throws NativeException naming the file and tensor when the adapter does not fit
	 * the model
	 */
	public Adapter loadAdapter(Path file, AdapterSpec spec, float userScale) {
		NativeTensorTable table = new NativeTensorTable(spec.tensors());
		LlcudaLibrary.AdapterSpecStruct struct = new LlcudaLibrary.AdapterSpecStruct();
		struct.alpha = spec.alpha();
		struct.user_scale = userScale;
		struct.n_tensors = spec.tensors().size();
		struct.tensors = table.pointer();
		PointerByReference out = new PointerByReference();
		try {
			check(api.llcuda_adapter_load(pointer(), file.toAbsolutePath().toString(), struct, out));
		}
		catch (NativeException e) {
			throw e.within("cannot load adapter " + file);
		}
		finally {
			Reference.reachabilityFence(table);
		}
		return new Adapter(api, out.getValue());
	}

	@Override
	String lastError(Pointer handle) {
		return api.llcuda_model_last_error(handle);
	}

	@Override
	void free(Pointer handle) {
		api.llcuda_model_free(handle);
	}

}
