package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Adapter;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Batch;
import dev.llcuda.nativelib.KvCache;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.nativelib.StepOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA adapters merged into their base's weights: on an F32 base each merged weight is
 * the float64 sum W + s·B·A (rounded once to float) and the merged model's logits are the
 * runtime adapter's; on a quantized base the merge is re-quantized to each weight's type,
 * so its logits differ from the runtime adapter's by that rounding alone; PEFT and GGUF
 * forms merge alike, several adapters add up in order, what does not fit is refused
 * naming the file and tensor, and the cache merges once.
 */
class AdapterMergerTests {

	private static final Path MODELS = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models");

	private static final Path F32 = MODELS.resolve("micro-llama-f32.gguf");

	private static final int RANK = PeftFixtures.RANK;

	@TempDir
	Path dir;

	private static NativeLibrary library;

	private static Backend backend;

	private static ModelSpec llama;

	@BeforeAll
	static void loadLibrary() throws IOException {
		library = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties());
		backend = library.cpuBackend(1);
		llama = spec(F32);
	}

	@AfterAll
	static void freeBackend() {
		backend.close();
	}

	private static ModelSpec spec(Path model) throws IOException {
		try (GgufFile file = GgufFile.open(model)) {
			return ModelSpec.from(file);
		}
	}

	private Path adapter(String name, long seed, float alpha) throws IOException {
		return PeftFixtures.gguf(dir, name, llama, PeftFixtures.randomPairs(F32, seed), alpha);
	}

	private Path merge(Path base, AdapterMerger.Lora... adapters) throws IOException {
		Path out = dir.resolve("merged-" + Math.abs(List.of(adapters).hashCode()) + ".gguf");
		new AdapterMerger(library).merge(base, List.of(adapters), out);
		return out;
	}

	/** Logits of every position of a fixed prompt with the adapters stacked as given. */
	private static List<float[]> logits(Path model, List<Path> adapters, List<Float> scales) throws IOException {
		ModelSpec spec = spec(model);
		List<Adapter> loaded = new ArrayList<>();
		try (Model loadedModel = backend.loadModel(model, spec)) {
			for (int i = 0; i < adapters.size(); i++) {
				loaded.add(AdapterLoader.load(loadedModel, spec, adapters.get(i), scales.get(i)));
			}
			int[] tokens = IntStream.range(0, 20).map(i -> 1 + (i * 37) % 500).toArray();
			Batch batch = new Batch(2);
			batch.addSequence(tokens, 0, tokens.length, 0, new int[] { 0, 1 }, 2);
			loaded.forEach(adapter -> batch.adapter(0, adapter));
			batch.logits(0, true);
			StepOutput output = new StepOutput();
			try (KvCache cache = loadedModel.createKvCache(2, 16, KvType.F16.abiValue())) {
				loadedModel.step(cache, batch, output);
			}
			List<float[]> rows = new ArrayList<>();
			for (int r = 0; r < output.logitRows(); r++) {
				rows.add(output.logitsRow(r));
			}
			return rows;
		}
		finally {
			loaded.forEach(Adapter::close);
		}
	}

	/** The largest relative L2 distance ‖got − want‖ / ‖want‖ over the positions. */
	private static double relativeError(List<float[]> want, List<float[]> got) {
		double worst = 0;
		for (int p = 0; p < want.size(); p++) {
			double diff = 0;
			double norm = 0;
			for (int v = 0; v < want.get(p).length; v++) {
				diff += Math.pow(got.get(p)[v] - want.get(p)[v], 2);
				norm += Math.pow(want.get(p)[v], 2);
			}
			worst = Math.max(worst, Math.sqrt(diff / norm));
		}
		return worst;
	}

	private static float[] floats(GgufFile file, TensorInfo tensor) {
		float[] values = new float[(int) tensor.elementCount()];
		file.tensorData(tensor).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
		return values;
	}

	private static byte[] bytes(GgufFile file, TensorInfo tensor) {
		ByteBuffer data = file.tensorData(tensor);
		byte[] bytes = new byte[data.remaining()];
		data.get(bytes);
		return bytes;
	}

	@Test
	void mergedF32WeightsAreTheFloat64SumOfTheBaseAndEachScaledProductInOrder() throws Exception {
		Map<String, float[]> first = PeftFixtures.randomPairs(F32, 11);
		Map<String, float[]> second = PeftFixtures.randomPairs(F32, 12);
		Path firstFile = PeftFixtures.gguf(dir, "first.gguf", llama, first, 16f);
		// without an alpha the user's factor alone scales the pair
		Path secondFile = PeftFixtures.gguf(dir, "second.gguf", llama, second, 0f);
		Path merged = merge(F32, new AdapterMerger.Lora(firstFile, 0.75f), new AdapterMerger.Lora(secondFile, -0.5f));
		double firstScale = 0.75f * 16f / RANK;
		double secondScale = -0.5f;
		int checked = 0;
		try (GgufFile base = GgufFile.open(F32); GgufFile out = GgufFile.open(merged)) {
			assertEquals(base.metadata().keys(), out.metadata().keys());
			for (String key : base.metadata().keys()) {
				assertEquals(base.metadata().get(key), out.metadata().get(key), key);
			}
			assertEquals(base.tensors().size(), out.tensors().size());
			for (TensorInfo w : base.tensors()) {
				TensorInfo m = out.tensor(w.name()).orElseThrow();
				assertEquals(w.type(), m.type(), w.name());
				assertArrayEquals(w.dims(), m.dims(), w.name());
				float[] a1 = first.get(w.name() + ".lora_a");
				if (a1 == null) {
					assertArrayEquals(bytes(base, w), bytes(out, m), w.name() + " is copied unchanged");
					continue;
				}
				float[] b1 = first.get(w.name() + ".lora_b");
				float[] a2 = second.get(w.name() + ".lora_a");
				float[] b2 = second.get(w.name() + ".lora_b");
				float[] original = floats(base, w);
				float[] got = floats(out, m);
				int in = (int) w.dim(0);
				for (int o = 0; o < w.dim(1); o++) {
					for (int i = 0; i < in; i++) {
						double product1 = 0;
						double product2 = 0;
						for (int k = 0; k < RANK; k++) {
							product1 += (double) b1[o * RANK + k] * a1[k * in + i];
							product2 += (double) b2[o * RANK + k] * a2[k * in + i];
						}
						float want = (float) (original[o * in + i] + firstScale * product1 + secondScale * product2);
						assertEquals(want, got[o * in + i], Math.ulp(want), w.name() + " [" + o + ", " + i + "]");
					}
				}
				checked++;
			}
		}
		assertEquals(7 * llama.layers(), checked, "every projection of every layer is merged");
	}

	@Test
	void onAnF32BaseTheMergedModelGivesTheRuntimeAdaptersLogits() throws Exception {
		Path first = adapter("first.gguf", 21, 16f);
		Path second = adapter("second.gguf", 22, 16f);
		List<float[]> base = logits(F32, List.of(), List.of());
		List<float[]> runtime = logits(F32, List.of(first, second), List.of(0.5f, 1.5f));
		List<float[]> merged = logits(
				merge(F32, new AdapterMerger.Lora(first, 0.5f), new AdapterMerger.Lora(second, 1.5f)), List.of(),
				List.of());
		// float32 rounding of (W + sBA)x against Wx + s B(Ax): a few units of 1e-7
		assertTrue(relativeError(runtime, merged) < 1e-5, "merged vs runtime: " + relativeError(runtime, merged));
		assertTrue(relativeError(runtime, base) > 1e-1,
				"the adapters move the logits: " + relativeError(runtime, base));
	}

	/**
	 * A quantized weight merged is W' = Q(deq(W) + s·B·A), while the runtime adapter runs
	 * deq(W) x + s·B(Ax): the two differ by the fresh rounding of Q alone. That rounding
	 * is of the kind that made the quantized base from the float one, whose effect on
	 * this model's logits is measured here (the float and quantized micro models hold the
	 * same weights); two independent roundings of that size add up to about √2 times one,
	 * so the merge stays within twice the type's own error of the runtime adapter, and
	 * lands about as close to the float model with the adapter as the runtime adapter on
	 * the quantized base does.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "micro-llama-Q8_0.gguf", "micro-llama-Q4_K_M.gguf" })
	void onAQuantizedBaseTheMergeDiffersFromTheRuntimeAdapterByTheRequantizationAlone(String model) throws Exception {
		Path base = MODELS.resolve(model);
		Path adapter = adapter("adapter.gguf", 31, 16f);
		Path mergedFile = merge(base, new AdapterMerger.Lora(adapter, 1f));
		try (GgufFile in = GgufFile.open(base); GgufFile out = GgufFile.open(mergedFile)) {
			for (TensorInfo w : in.tensors()) {
				assertEquals(w.type(), out.tensor(w.name()).orElseThrow().type(), w.name() + " keeps its type");
			}
		}
		List<float[]> quantizedBase = logits(base, List.of(), List.of());
		double typeError = relativeError(logits(F32, List.of(), List.of()), quantizedBase);
		List<float[]> runtime = logits(base, List.of(adapter), List.of(1f));
		List<float[]> merged = logits(mergedFile, List.of(), List.of());
		double error = relativeError(runtime, merged);
		assertTrue(error < 2 * typeError, model + ": merged vs runtime " + error + ", the type's error " + typeError);
		List<float[]> floatModel = logits(F32, List.of(adapter), List.of(1f));
		double mergedAccuracy = relativeError(floatModel, merged);
		double runtimeAccuracy = relativeError(floatModel, runtime);
		assertTrue(mergedAccuracy < 1.25 * runtimeAccuracy, model + ": merged " + mergedAccuracy + " and runtime "
				+ runtimeAccuracy + " from the float model with the adapter");
		double moved = relativeError(quantizedBase, runtime);
		assertTrue(moved > 2 * error, model + ": the adapter moves the logits by " + moved);
	}

	@Test
	void aPeftAdapterMergesAsTheGgufTheConverterWouldWrite() throws Exception {
		Map<String, float[]> pairs = PeftFixtures.randomPairs(F32, 41);
		Path gguf = PeftFixtures.gguf(dir, "plain.gguf", llama, pairs, 16f);
		Path peft = PeftFixtures.peft(dir, "plain-peft", llama, pairs, PeftFixtures.config(""));
		assertArrayEquals(Files.readAllBytes(merge(F32, new AdapterMerger.Lora(gguf, 0.5f))),
				Files.readAllBytes(merge(F32, new AdapterMerger.Lora(peft, 0.5f))));
		// rsLoRA: alpha / sqrt(r), as the converter writes alpha · sqrt(r)
		Path rsGguf = PeftFixtures.gguf(dir, "rs.gguf", llama, pairs, (float) (16 * Math.sqrt(RANK)));
		Path rsPeft = PeftFixtures.peft(dir, "rs-peft", llama, pairs, PeftFixtures.config(", \"use_rslora\": true"));
		byte[] rsMerged = Files.readAllBytes(merge(F32, new AdapterMerger.Lora(rsPeft, 1f)));
		assertArrayEquals(Files.readAllBytes(merge(F32, new AdapterMerger.Lora(rsGguf, 1f))), rsMerged);
		assertFalse(Arrays.equals(rsMerged, Files.readAllBytes(merge(F32, new AdapterMerger.Lora(gguf, 1f)))),
				"rsLoRA scales differently");
	}

	private Path adapterFile(String name, String architecture, String type, String tensor, long[] aDims, long[] bDims)
			throws IOException {
		Random random = new Random(name.hashCode());
		GgufWriter writer = new GgufWriter().putString("general.architecture", architecture)
			.putString("general.type", "adapter")
			.putString("adapter.type", type)
			.putFloat32("adapter.lora.alpha", 16f);
		writer.addTensor(tensor + ".lora_a", GgmlType.F32, aDims, randomBytes(random, aDims[0] * aDims[1]));
		writer.addTensor(tensor + ".lora_b", GgmlType.F32, bDims, randomBytes(random, bDims[0] * bDims[1]));
		Path path = dir.resolve(name);
		writer.write(path);
		return path;
	}

	private static byte[] randomBytes(Random random, long count) {
		ByteBuffer bytes = ByteBuffer.allocate((int) count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		for (long i = 0; i < count; i++) {
			bytes.putFloat((float) random.nextGaussian() * 0.05f);
		}
		return bytes.array();
	}

	@Test
	void adaptersThatDoNotFitTheBaseAreRefusedNamingTheFileAndTensor() throws Exception {
		long[] a = { 256, RANK };
		long[] b = { RANK, 256 };
		Map<Path, List<String>> refusals = Map.of(
				adapterFile("qwen.gguf", "qwen2", "lora", "blk.0.attn_q.weight", a, b),
				List.of("general.architecture is 'qwen2' but the model is 'llama'"),
				adapterFile("ia3.gguf", "llama", "ia3", "blk.0.attn_q.weight", a, b), List.of("adapter.type is 'ia3'"),
				adapterFile("missing.gguf", "llama", "lora", "blk.9.attn_q.weight", a, b),
				List.of("'blk.9.attn_q.weight.lora_a'", "does not have"),
				adapterFile("transposed.gguf", "llama", "lora", "blk.0.attn_q.weight", b, b),
				List.of("'blk.0.attn_q.weight.lora_a' [8, 256]", "do not fit"));
		for (Map.Entry<Path, List<String>> refusal : refusals.entrySet()) {
			IOException e = assertThrows(IOException.class, () -> new AdapterMerger(library).merge(F32,
					List.of(new AdapterMerger.Lora(refusal.getKey(), 1f)), dir.resolve("refused.gguf")));
			assertTrue(e.getMessage().contains(refusal.getKey().toString()), e.getMessage());
			for (String part : refusal.getValue()) {
				assertTrue(e.getMessage().contains(part), e.getMessage());
			}
		}
		Path good = adapter("good.gguf", 51, 16f);
		IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
				() -> new AdapterMerger.Lora(good, Float.NaN));
		assertTrue(nan.getMessage().contains(good.toString()) && nan.getMessage().contains("finite"), nan.getMessage());
		try (Stream<Path> left = Files.list(dir)) {
			assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("refused")).toList(),
					"a refused merge leaves no file");
		}
	}

	@Test
	void theCacheMergesOnceAndKeysTheFileByItsInputs() throws Exception {
		Path adapter = adapter("cached.gguf", 61, 16f);
		MergedModelCache cache = new MergedModelCache(dir.resolve("cache"), new AdapterMerger(library));
		List<AdapterMerger.Lora> adapters = List.of(new AdapterMerger.Lora(adapter, 1f));
		Path merged = cache.resolve(F32, adapters);
		BasicFileAttributes written = Files.readAttributes(merged, BasicFileAttributes.class);
		assertTrue(merged.getFileName().toString().matches("micro-llama-f32-lora-[0-9a-f]{64}\\.gguf"),
				merged.toString());
		assertEquals(merged, cache.resolve(F32, adapters));
		BasicFileAttributes reused = Files.readAttributes(merged, BasicFileAttributes.class);
		assertEquals(written.fileKey(), reused.fileKey(), "the second start reuses the file");
		assertEquals(written.lastModifiedTime(), reused.lastModifiedTime(), "the second start does not rewrite it");
		Path rescaled = cache.resolve(F32, List.of(new AdapterMerger.Lora(adapter, 2f)));
		assertNotEquals(merged, rescaled, "another scale is another merge");
		assertEquals(F32, cache.resolve(F32, List.of()), "without adapters the base is served");
		assertEquals(merged, cache.resolve(merged, adapters), "a served merge loaded again is not merged twice");
		try (Stream<Path> files = Files.list(dir.resolve("cache"))) {
			assertEquals(2, files.count(), "two merges and no temporary file");
		}
	}

}
