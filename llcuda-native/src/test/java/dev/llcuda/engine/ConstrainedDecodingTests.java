package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.grammar.Constraints;
import dev.llcuda.grammar.Grammars;
import dev.llcuda.grammar.TokenMasks;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.template.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Constrained decoding through the engine and the native CPU sampler: every output of a
 * random-weights micro model (512 SentencePiece tokens, byte fallback) under a JSON
 * schema parses and validates, for many seeds sampled at temperature 1 while batched
 * together. 200 seeds in CI; {@code -Dllcuda.grammar.seeds=1000} by hand.
 */
class ConstrainedDecodingTests {

	private static final Path MODEL = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models",
			"micro-llama-f32.gguf");

	private static final int SEEDS = Integer.getInteger("llcuda.grammar.seeds", 200);

	private static final String SCHEMA = """
			{"type":"object","properties":{
			  "name":{"type":"string","minLength":1,"maxLength":8},
			  "age":{"type":"integer"},
			  "score":{"type":"number"},
			  "color":{"enum":["red","green","blue"]},
			  "tags":{"type":"array","items":{"type":"string","maxLength":3},"minItems":1,"maxItems":3},
			  "owner":{"anyOf":[{"type":"null"},{"type":"object","properties":{"id":{"type":"integer"}},
			            "required":["id"],"additionalProperties":false}]},
			  "ok":{"type":"boolean"}},
			 "required":["name","age","tags","ok"],"additionalProperties":false}""";

	private static Backend backend;

	private static ModelEngine model;

	@BeforeAll
	static void open() throws Exception {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
		model = ModelEngine.open(backend, MODEL,
				ModelEngine.Options.defaults().withEngineConfig(c -> c.withLimits(32, 256, SEEDS)));
	}

	@AfterAll
	static void close() {
		model.close();
		backend.close();
	}

	@Test
	void theMicroVocabularySpellsJsonThroughByteFallback() {
		Set<Integer> bytes = new java.util.HashSet<>();
		for (int id = 0; id < model.tokenizer().vocabSize(); id++) {
			byte[] b = model.tokenizer().tokenBytes(id);
			if (b.length == 1) {
				bytes.add(b[0] & 0xFF);
			}
		}
		for (char c : "{}[]\":,-.0123456789truefalsn".toCharArray()) {
			assertTrue(bytes.contains((int) c), "a single-byte token for " + c);
		}
	}

	@Test
	void everyOutputUnderTheSchemaParsesAndValidates() throws Exception {
		TokenMasks masks = new Constraints(model.tokenizer()).masks(new Grammars().jsonSchema(SCHEMA));
		int[] prompt = model.tokenizer().encode("Describe a person as JSON:", true, false);
		List<RequestHandle> handles = new ArrayList<>();
		for (int seed = 0; seed < SEEDS; seed++) {
			SamplingParams sampling = new SamplingParams(1f, 0, 1f, 0f, 1f, 0f, 0f, seed);
			handles.add(model.engine()
				.submit(new GenerationRequest(prompt, sampling, 400, List.of(), java.util.Optional.empty())
					.withConstraint(masks)));
		}
		for (int seed = 0; seed < SEEDS; seed++) {
			GenerationResult result = handles.get(seed).result().get();
			String text = result.text();
			assertEquals(FinishReason.STOP, result.finishReason(),
					() -> "seed ended by " + result.finishReason() + ": " + text);
			validate(Json.parse(text, "output"), text);
		}
		assertTrue(masks.hitRate() > 0.5, "masks are reused across states: hit rate " + masks.hitRate());
	}

	@Test
	void withoutTheConstraintTheSameSeedsDoNotGiveJson() throws Exception {
		int[] prompt = model.tokenizer().encode("Describe a person as JSON:", true, false);
		int parsed = 0;
		for (int seed = 0; seed < 20; seed++) {
			SamplingParams sampling = new SamplingParams(1f, 0, 1f, 0f, 1f, 0f, 0f, seed);
			String text = model.engine()
				.submit(new GenerationRequest(prompt, sampling, 60, List.of(), java.util.Optional.empty()))
				.result()
				.get()
				.text();
			try {
				Json.parse(text, "output");
				parsed++;
			}
			catch (IllegalArgumentException e) {
				// expected: a random model writes no JSON by itself
			}
		}
		assertEquals(0, parsed);
	}

	/**
	 * The schema's checks, written out: types, required properties, bounds, enum, no
	 * other keys.
	 */
	@SuppressWarnings("unchecked")
	private static void validate(Object value, String text) {
		assertTrue(value instanceof Map<?, ?>, text);
		Map<String, Object> o = (Map<String, Object>) value;
		assertTrue(Set.of("name", "age", "score", "color", "tags", "owner", "ok").containsAll(o.keySet()), text);
		assertTrue(o.keySet().containsAll(Set.of("name", "age", "tags", "ok")), text);
		String name = (String) o.get("name");
		int length = name.codePointCount(0, name.length());
		assertTrue(length >= 1 && length <= 8, text);
		assertTrue(o.get("age") instanceof Long, text);
		assertTrue(!o.containsKey("score") || o.get("score") instanceof Number, text);
		assertTrue(!o.containsKey("color") || List.of("red", "green", "blue").contains(o.get("color")), text);
		List<Object> tags = (List<Object>) o.get("tags");
		assertTrue(tags.size() >= 1 && tags.size() <= 3, text);
		for (Object tag : tags) {
			assertTrue(tag instanceof String s && s.codePointCount(0, s.length()) <= 3, text);
		}
		if (o.containsKey("owner") && o.get("owner") != null) {
			Map<String, Object> owner = (Map<String, Object>) o.get("owner");
			assertEquals(Set.of("id"), owner.keySet(), text);
			assertTrue(owner.get("id") instanceof Long, text);
		}
		assertTrue(o.get("ok") instanceof Boolean, text);
		assertTrue(text.getBytes(StandardCharsets.UTF_8).length > 0);
	}

}
