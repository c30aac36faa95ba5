package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.AdapterSpec;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeException;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA adapters served by the engine over the native CPU backend: requests of different
 * adapters, stacked adapters and the base model in one running batch each give what they
 * give alone, cached prompt blocks are never shared between adapters, and adapter files
 * that do not fit the model are refused naming the file (the native checks against
 * float64 and llama.cpp are in llcuda-test-cpu and docs/models.md).
 */
class AdapterEngineTests {

	private static final Path MODEL = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models",
			"micro-llama-f32.gguf");

	private static final String[] TARGETS = { "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up",
			"ffn_down" };

	private static final int RANK = 8;

	@TempDir
	static Path dir;

	private static Backend backend;

	private static ModelSpec spec;

	private static Path first;

	private static Path second;

	@BeforeAll
	static void writeAdapters() throws Exception {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
		try (GgufFile file = GgufFile.open(MODEL)) {
			spec = ModelSpec.from(file);
		}
		first = write("first.gguf", "llama", "adapter", 1);
		second = write("second.gguf", "llama", "adapter", 2);
	}

	@AfterAll
	static void freeBackend() {
		backend.close();
	}

	/**
	 * A LoRA adapter of every projection of the micro model, as llama.cpp's converter
	 * lays one out.
	 */
	private static Path write(String name, String architecture, String type, long seed) throws Exception {
		Random random = new Random(seed);
		GgufWriter writer = new GgufWriter().putString("general.architecture", architecture)
			.putString("general.type", type)
			.putString("adapter.type", "lora")
			.putFloat32("adapter.lora.alpha", 16f);
		try (GgufFile model = GgufFile.open(MODEL)) {
			for (int layer = 0; layer < spec.layers(); layer++) {
				for (String target : TARGETS) {
					String base = "blk." + layer + "." + target + ".weight";
					TensorInfo w = model.tensor(base).orElseThrow();
					long in = w.dim(0);
					long out = w.dim(1);
					writer.addTensor(base + ".lora_a", GgmlType.F32, new long[] { in, RANK },
							floats(random, in * RANK, 1 / Math.sqrt(in)));
					writer.addTensor(base + ".lora_b", GgmlType.F32, new long[] { RANK, out },
							floats(random, RANK * out, 0.2 / Math.sqrt(RANK)));
				}
			}
		}
		Path path = dir.resolve(name);
		writer.write(path);
		return path;
	}

	private static byte[] floats(Random random, long count, double sigma) {
		ByteBuffer bytes = ByteBuffer.allocate((int) count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		for (long i = 0; i < count; i++) {
			bytes.putFloat((float) (random.nextGaussian() * sigma));
		}
		return bytes.array();
	}

	private static ModelEngine open(List<AdapterFile> adapters) throws Exception {
		ModelEngine.Options options = ModelEngine.Options.defaults()
			.withKvBlocks(64)
			.withAdapters(adapters)
			.withEngineConfig(c -> c.withLimits(8, 64, 100));
		return ModelEngine.open(backend, MODEL, options);
	}

	private static List<AdapterFile> both() {
		return List.of(new AdapterFile("first", first, 1f), new AdapterFile("second", second, 0.5f));
	}

	private static int[] prompt(int seed, int length) {
		return IntStream.range(0, length)
			.map(i -> 3 + Math.floorMod(seed * 31 + i * 17 + i * i, spec.vocabSize() - 3))
			.toArray();
	}

	private static GenerationRequest request(int seed, String adapter) {
		GenerationRequest request = GenerationRequest.greedy(prompt(seed, 37), 12);
		return adapter == null ? request : request.withAdapter(adapter);
	}

	private static GenerationResult run(ModelEngine engine, GenerationRequest request) throws Exception {
		return engine.engine().submit(request).result().get(60, TimeUnit.SECONDS);
	}

	@Test
	void requestsOfDifferentAdaptersInOneBatchEachGiveWhatTheyGiveAlone() throws Exception {
		String[] adapters = { null, "first", "second", "first", null, "second" };
		int[] seeds = { 1, 1, 1, 0, 0, 0 };
		try (ModelEngine engine = open(both())) {
			List<String> alone = new ArrayList<>();
			for (int i = 0; i < adapters.length; i++) {
				alone.add(run(engine, request(seeds[i], adapters[i])).text());
			}
			List<RequestHandle> together = new ArrayList<>();
			for (int i = 0; i < adapters.length; i++) {
				together.add(engine.engine().submit(request(seeds[i], adapters[i])));
			}
			for (int i = 0; i < adapters.length; i++) {
				assertEquals(alone.get(i), together.get(i).result().get(60, TimeUnit.SECONDS).text(), "request " + i);
			}
			assertNotEquals(alone.get(0), alone.get(1), "the first adapter changes the greedy output");
			assertNotEquals(alone.get(1), alone.get(2), "the two adapters give different outputs");
		}
	}

	@Test
	void stackedAdaptersRunTogetherAndInABatchAsAlone() throws Exception {
		List<AdapterUse> stack = List.of(new AdapterUse("first", 0.5f), new AdapterUse("second", 1.5f));
		GenerationRequest stacked = request(2, null).withAdapters(stack);
		try (ModelEngine engine = open(both())) {
			String alone = run(engine, stacked).text();
			assertNotEquals(run(engine, request(2, "first")).text(), alone, "the stack differs from its first adapter");
			assertNotEquals(run(engine, request(2, "second")).text(), alone,
					"the stack differs from its second adapter");
			assertNotEquals(run(engine,
					request(2, null)
						.withAdapters(List.of(new AdapterUse("first", 0.5f), new AdapterUse("second", -1.5f))))
				.text(), alone, "the factors matter");
			List<RequestHandle> together = new ArrayList<>();
			for (GenerationRequest r : List.of(request(2, "first"), stacked, request(2, null), stacked)) {
				together.add(engine.engine().submit(r));
			}
			assertEquals(alone, together.get(1).result().get(60, TimeUnit.SECONDS).text());
			assertEquals(alone, together.get(3).result().get(60, TimeUnit.SECONDS).text());
		}
	}

	@Test
	void stacksBeyondTheLimitOrWithAnAdapterTwiceAreRefused() throws Exception {
		AdapterUse first = new AdapterUse("first", 1f);
		InvalidRequestException twice = assertThrows(InvalidRequestException.class,
				() -> request(1, null).withAdapters(List.of(first, new AdapterUse("first", 0.5f))));
		assertTrue(twice.getMessage().contains("stacked twice"), twice.getMessage());
		List<AdapterUse> five = IntStream.range(0, AdapterUse.MAX_STACK + 1)
			.mapToObj(i -> new AdapterUse("a" + i, 1f))
			.toList();
		InvalidRequestException many = assertThrows(InvalidRequestException.class,
				() -> request(1, null).withAdapters(five));
		assertTrue(many.getMessage().contains("at most " + AdapterUse.MAX_STACK), many.getMessage());
		InvalidRequestException nan = assertThrows(InvalidRequestException.class,
				() -> new AdapterUse("first", Float.NaN));
		assertTrue(nan.getMessage().contains("'first'"), nan.getMessage());
		try (ModelEngine engine = open(both())) {
			InvalidRequestException unknown = assertThrows(InvalidRequestException.class, () -> engine.engine()
				.submit(request(1, null).withAdapters(List.of(first, new AdapterUse("third", 1f)))));
			assertTrue(unknown.getMessage().contains("'third'"), unknown.getMessage());
		}
	}

	@Test
	void promptBlocksCachedForOneAdapterAreNotReusedByAnother() throws Exception {
		GenerationResult fresh;
		try (ModelEngine engine = open(both())) {
			fresh = run(engine, request(7, "first"));
		}
		try (ModelEngine engine = open(both())) {
			run(engine, request(7, null));
			run(engine, request(7, "second"));
			assertEquals(fresh.text(), run(engine, request(7, "first")).text());
		}
	}

	@Test
	void unknownAdapterIsRefusedNamingIt() throws Exception {
		try (ModelEngine engine = open(both())) {
			InvalidRequestException e = assertThrows(InvalidRequestException.class,
					() -> engine.engine().submit(request(1, "third")));
			assertTrue(e.getMessage().contains("'third'") && e.getMessage().contains("first, second"), e.getMessage());
		}
	}

	@Test
	void adapterMemoryIsAccounted() throws Exception {
		long tensors = 0;
		for (Path path : List.of(first, second)) {
			try (GgufFile file = GgufFile.open(path)) {
				tensors += file.tensors().stream().mapToLong(TensorInfo::byteSize).sum();
			}
		}
		try (ModelEngine engine = open(both())) {
			assertEquals(tensors, engine.adapterBytes());
		}
		ModelEngine.Options options = ModelEngine.Options.defaults().withKvBlocks(64);
		assertEquals(ModelEngine.memoryNeeded(MODEL, options) + tensors,
				ModelEngine.memoryNeeded(MODEL, options.withAdapters(both())));
	}

	@Test
	void adapterFilesThatDoNotFitTheModelAreRefusedNamingTheFile() throws Exception {
		Path qwen = write("qwen.gguf", "qwen2", "adapter", 3);
		Path model = write("model.gguf", "llama", "model", 4);
		for (Path path : List.of(qwen, model)) {
			try (GgufFile file = GgufFile.open(path)) {
				GgufFormatException e = assertThrows(GgufFormatException.class, () -> AdapterSpec.from(file, spec));
				assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
			}
		}
		UnaryOperator<String> refusal = name -> {
			Exception e = assertThrows(Exception.class,
					() -> open(List.of(new AdapterFile("x", dir.resolve(name), 1f))));
			return e.getMessage();
		};
		assertTrue(refusal.apply("qwen.gguf").contains("general.architecture is 'qwen2' but the model is 'llama'"));
		// A tensor of the wrong shape: the native check names the file and the tensor.
		GgufWriter writer = new GgufWriter().putString("general.architecture", "llama")
			.putString("general.type", "adapter")
			.putString("adapter.type", "lora")
			.putFloat32("adapter.lora.alpha", 16f);
		writer.addTensor("blk.0.attn_q.weight.lora_a", GgmlType.F32, new long[] { RANK, 256 },
				floats(new Random(5), RANK * 256, 0.1));
		writer.addTensor("blk.0.attn_q.weight.lora_b", GgmlType.F32, new long[] { RANK, 256 },
				floats(new Random(6), RANK * 256, 0.1));
		writer.write(dir.resolve("transposed.gguf"));
		String message = refusal.apply("transposed.gguf");
		assertTrue(message.contains("transposed.gguf") && message.contains("blk.0.attn_q.weight.lora_a"), message);
		assertThrows(NativeException.class,
				() -> open(List.of(new AdapterFile("x", dir.resolve("transposed.gguf"), 1f))));
	}

}
