package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.cli.Main;
import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Adapter;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Batch;
import dev.llcuda.nativelib.KvCache;
import dev.llcuda.nativelib.Model;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.nativelib.StepOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEFT adapters ({@code adapter_config.json} + {@code adapter_model.safetensors}, written
 * by {@link PeftFixtures}) give exactly the logits of the GGUF adapter llama.cpp's
 * converter would write from them: the same A and B, llama's q and k lora_B rows in
 * GGUF's RoPE order (written from Hugging Face's order by its definition), alpha /
 * sqrt(r) with rsLoRA; what PEFT can express but the engine cannot serve is refused
 * naming the field or tensor.
 */
class PeftAdapterTests {

	private static final Path MODELS = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models");

	@TempDir
	Path dir;

	private static Backend backend;

	@BeforeAll
	static void loadLibrary() {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
	}

	@AfterAll
	static void freeBackend() {
		backend.close();
	}

	/**
	 * Logits of every position of a fixed prompt, with {@code adapter} (null: the base
	 * model).
	 */
	static List<float[]> logits(Model model, Adapter adapter) {
		int[] tokens = IntStream.range(0, 20).map(i -> 1 + (i * 37) % 500).toArray();
		Batch batch = new Batch(2);
		batch.addSequence(tokens, 0, tokens.length, 0, new int[] { 0, 1 }, 2);
		if (adapter != null) {
			batch.adapter(0, adapter);
		}
		batch.logits(0, true);
		StepOutput output = new StepOutput();
		try (KvCache cache = model.createKvCache(2, 16, KvType.F16.abiValue())) {
			model.step(cache, batch, output);
		}
		List<float[]> rows = new ArrayList<>();
		for (int r = 0; r < output.logitRows(); r++) {
			rows.add(output.logitsRow(r));
		}
		return rows;
	}

	private void sameLogitsAsGguf(String modelFile, String extraConfig, float ggufAlpha) throws Exception {
		sameLogitsAsGguf(modelFile, extraConfig, ggufAlpha, false);
	}

	/** With {@code bf16} both adapters hold their tensors in BF16. */
	private void sameLogitsAsGguf(String modelFile, String extraConfig, float ggufAlpha, boolean bf16)
			throws Exception {
		Path modelPath = MODELS.resolve(modelFile);
		ModelSpec spec;
		try (GgufFile file = GgufFile.open(modelPath)) {
			spec = ModelSpec.from(file);
		}
		Map<String, float[]> pairs = PeftFixtures.randomPairs(modelPath, 17);
		Path gguf = PeftFixtures.gguf(dir, modelFile + bf16 + ".gguf", spec, pairs, ggufAlpha, bf16);
		Path peft = PeftFixtures.peft(dir, modelFile + extraConfig.hashCode() + bf16, spec, pairs,
				PeftFixtures.config(extraConfig), bf16);
		try (Model model = backend.loadModel(modelPath, spec);
				Adapter fromGguf = AdapterLoader.load(model, spec, gguf, 1f);
				Adapter fromPeft = AdapterLoader.load(model, spec, peft, 1f)) {
			List<float[]> want = logits(model, fromGguf);
			List<float[]> got = logits(model, fromPeft);
			for (int i = 0; i < want.size(); i++) {
				assertArrayEquals(want.get(i), got.get(i), modelFile + " position " + i);
			}
			float[] base = logits(model, null).get(19);
			double moved = 0;
			for (int v = 0; v < base.length; v++) {
				moved = Math.max(moved, Math.abs(base[v] - want.get(19)[v]));
			}
			assertTrue(moved > 0.1, "the adapter moves the logits (" + moved + ")");
			assertTrue(fromPeft.bytes() == AdapterLoader.tensorBytes(peft));
		}
	}

	@Test
	void aLlamaPeftAdapterGivesTheLogitsOfTheGgufTheConverterWouldWrite() throws Exception {
		sameLogitsAsGguf("micro-llama-f32.gguf", "", 16f);
	}

	@Test
	void aQwen2PeftAdapterKeepsItsRowOrder() throws Exception {
		sameLogitsAsGguf("micro-qwen2-f32.gguf", "", 16f);
	}

	@Test
	void bf16PairsAreReadAsStored() throws Exception {
		sameLogitsAsGguf("micro-llama-f32.gguf", "", 16f, true);
	}

	@Test
	void rsLoraScalesByAlphaOverTheSquareRootOfTheRank() throws Exception {
		sameLogitsAsGguf("micro-llama-f32.gguf", ", \"use_rslora\": true", (float) (16 * Math.sqrt(PeftFixtures.RANK)));
	}

	@Test
	void theEngineServesAPeftDirectoryGivenAsAnAdapterFile() throws Exception {
		Path modelPath = MODELS.resolve("micro-llama-f32.gguf");
		ModelSpec spec;
		try (GgufFile file = GgufFile.open(modelPath)) {
			spec = ModelSpec.from(file);
		}
		Map<String, float[]> pairs = PeftFixtures.randomPairs(modelPath, 29);
		Path gguf = PeftFixtures.gguf(dir, "engine.gguf", spec, pairs, 16f);
		Path peft = PeftFixtures.peft(dir, "engine-peft", spec, pairs, PeftFixtures.config(""));
		ModelEngine.Options options = ModelEngine.Options.defaults()
			.withKvBlocks(64)
			.withAdapters(List.of(new AdapterFile("gguf", gguf, 1f), new AdapterFile("peft", peft, 1f)));
		try (ModelEngine engine = ModelEngine.open(backend, modelPath, options)) {
			int[] prompt = IntStream.range(0, 23).map(i -> 3 + (i * 41) % 400).toArray();
			GenerationResult fromGguf = engine.engine()
				.submit(GenerationRequest.greedy(prompt, 10).withAdapter("gguf"))
				.result()
				.get(60, TimeUnit.SECONDS);
			GenerationResult fromPeft = engine.engine()
				.submit(GenerationRequest.greedy(prompt, 10).withAdapter("peft"))
				.result()
				.get(60, TimeUnit.SECONDS);
			assertEquals(fromGguf.text(), fromPeft.text());
			assertEquals(2 * AdapterLoader.tensorBytes(peft), engine.adapterBytes());
		}
		long withoutAdapters = ModelEngine.memoryNeeded(modelPath, options.withAdapters(List.of()));
		assertEquals(withoutAdapters + 2 * AdapterLoader.tensorBytes(peft),
				ModelEngine.memoryNeeded(modelPath, options));
	}

	@Test
	void theCliTakesAPeftDirectoryForLora() throws Exception {
		Path modelPath = MODELS.resolve("micro-llama-f32.gguf");
		ModelSpec spec;
		try (GgufFile file = GgufFile.open(modelPath)) {
			spec = ModelSpec.from(file);
		}
		Map<String, float[]> pairs = PeftFixtures.randomPairs(modelPath, 31);
		Path gguf = PeftFixtures.gguf(dir, "cli.gguf", spec, pairs, 16f);
		Path peft = PeftFixtures.peft(dir, "cli-peft", spec, pairs, PeftFixtures.config(""));
		List<String> logits = new ArrayList<>();
		for (Path adapter : List.of(gguf, peft, dir)) {
			Path out = dir.resolve(adapter.getFileName() + ".txt");
			ByteArrayOutputStream err = new ByteArrayOutputStream();
			String[] lora = adapter == dir ? new String[0]
					: new String[] { "--lora", adapter.toString(), "--lora-scale", "0.5" };
			String[] args = { "logits", "--model", modelPath.toString(), "--tokens", "1 17 250 3 99", "--out",
					out.toString() };
			int code = Main.run(Stream.concat(Arrays.stream(args), Arrays.stream(lora)).toArray(String[]::new),
					new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
					new PrintStream(err, true, StandardCharsets.UTF_8));
			assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
			logits.add(Files.readString(out));
		}
		assertEquals(logits.get(0), logits.get(1));
		assertNotEquals(logits.get(2), logits.get(1), "without --lora the logits differ");
	}

	@Test
	void whatTheEngineCannotServeIsRefusedNamingIt() throws Exception {
		Path modelPath = MODELS.resolve("micro-llama-f32.gguf");
		ModelSpec spec;
		try (GgufFile file = GgufFile.open(modelPath)) {
			spec = ModelSpec.from(file);
		}
		Map<String, float[]> pairs = PeftFixtures.randomPairs(modelPath, 3);
		Map<String, String> refused = Map.of(", \"use_dora\": true", "use_dora", ", \"rank_pattern\": {\"q_proj\": 4}",
				"rank_pattern", ", \"alpha_pattern\": {\"q_proj\": 4}", "alpha_pattern",
				", \"modules_to_save\": [\"lm_head\"]", "modules_to_save", ", \"fan_in_fan_out\": true",
				"fan_in_fan_out", ", \"layers_to_transform\": [0]", "layers_to_transform");
		try (Model model = backend.loadModel(modelPath, spec)) {
			for (Map.Entry<String, String> bad : refused.entrySet()) {
				Path peft = PeftFixtures.peft(dir, "bad" + bad.getValue(), spec, pairs,
						PeftFixtures.config(bad.getKey()));
				IOException e = assertThrows(IOException.class, () -> AdapterLoader.load(model, spec, peft, 1f));
				assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
			}
			Map<String, String> replaced = Map.of("\"none\"", "\"lora_only\"", "\"LORA\"", "\"IA3\"");
			for (Map.Entry<String, String> bad : replaced.entrySet()) {
				Path peft = PeftFixtures.peft(dir, "bad" + bad.getValue().hashCode(), spec, pairs,
						PeftFixtures.config("").replace(bad.getKey(), bad.getValue()));
				IOException e = assertThrows(IOException.class, () -> AdapterLoader.load(model, spec, peft, 1f));
				assertTrue(e.getMessage().contains(bad.getKey().equals("\"none\"") ? "'bias'" : "'peft_type'"),
						e.getMessage());
			}
			Path narrow = PeftFixtures.peft(dir, "narrow", spec, pairs,
					PeftFixtures.config("").replace("\"q_proj\", ", ""));
			IOException e = assertThrows(IOException.class, () -> AdapterLoader.load(model, spec, narrow, 1f));
			assertTrue(e.getMessage().contains("q_proj, which target_modules does not name"), e.getMessage());
			Path lmHead = PeftFixtures.peft(dir, "lm-head", spec, pairs,
					PeftFixtures.config("").replace("\"q_proj\"", "\"lm_head\""));
			e = assertThrows(IOException.class, () -> AdapterLoader.load(model, spec, lmHead, 1f));
			assertTrue(e.getMessage().contains("'lm_head'"), e.getMessage());
		}
	}

}
