package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.llcuda.grammar.Constraints;
import dev.llcuda.grammar.Grammars;
import dev.llcuda.grammar.NumberKeywords;
import dev.llcuda.grammar.TokenMasks;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.template.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property test of the schema features that shape strings and numbers (pattern, format,
 * number and integer bounds, multipleOf): every output of a random-weights micro model
 * under each schema, 1,000 seeds sampled at temperature 1 and batched together on the
 * native CPU sampler, is valid JSON that an independent JSON Schema validator (networknt,
 * draft 2020-12, format assertions on) accepts.
 */
class SchemaFeatureDecodingTests {

	private static final Path MODEL = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models",
			"micro-llama-f32.gguf");

	private static final int SEEDS = Integer.getInteger("llcuda.grammar.feature-seeds", 1000);

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

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { """
			{"type":"object","properties":{
			  "code":{"type":"string","pattern":"^[A-Z]{2}-\\\\d{3}(x|yz)?$"},
			  "tag":{"type":"string","pattern":"^(?:[a-c\\"\\\\\\\\]|\\\\s|\\\\.){1,6}?$"},
			  "any":{"type":"string","pattern":"^[^a-z0-9]{2}\\\\W?.$"}},
			 "required":["code","tag"],"additionalProperties":false}""", """
			{"type":"object","properties":{
			  "day":{"type":"string","format":"date"},
			  "at":{"type":"string","format":"time"},
			  "stamp":{"type":"string","format":"date-time"},
			  "id":{"type":"string","format":"uuid"}},
			 "required":["day","at","stamp","id"],"additionalProperties":false}""", """
			{"type":"array","minItems":1,"maxItems":4,"items":{"anyOf":[
			  {"type":"integer","exclusiveMinimum":-7,"exclusiveMaximum":250},
			  {"type":"integer","minimum":1000,"maximum":99999,"multipleOf":7},
			  {"type":"integer","exclusiveMinimum":-1000,"maximum":0,"multipleOf":25},
			  {"type":"integer","multipleOf":3,"format":"int32"}]}}""" })
	void everyOutputValidatesAgainstTheSchema(String schemaText) throws Exception {
		for (String text : completeOutputs(schemaText)) {
			assertValid(schemaText, text);
		}
	}

	/**
	 * Number and integer bounds, inclusive and exclusive, across zero and wholly
	 * negative, and multipleOf: each value is read exactly (as written, no doubles) and
	 * checked with {@link NumberKeywords} against its property, so a bound the grammar
	 * dropped or rounded outwards fails. "fifth" stays within 2^53: beyond it the
	 * validator divides in doubles and refuses exact multiples of 2.5 such as
	 * -9622274381381345.
	 */
	@Test
	void everyNumberLiesWithinItsBoundsAndIsAMultipleExactly() throws Exception {
		String schemaText = """
				{"type":"object","properties":{
				  "ratio":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1},
				  "cold":{"type":"number","minimum":-273.15,"exclusiveMaximum":-40.5},
				  "narrow":{"type":"number","exclusiveMinimum":-5,"maximum":-4.99},
				  "delta":{"type":"number","exclusiveMinimum":-0.25,"maximum":0.125},
				  "step":{"type":"integer","minimum":-2.5,"exclusiveMaximum":3},
				  "half":{"type":"number","multipleOf":0.5,"exclusiveMinimum":-3,"maximum":2},
				  "cents":{"type":"number","multipleOf":0.01,"minimum":-1,"exclusiveMaximum":1},
				  "round":{"type":"integer","multipleOf":5000,"exclusiveMinimum":-20000},
				  "fifth":{"type":"integer","multipleOf":2.5,"minimum":-1e15,"maximum":1e15}},
				 "required":["ratio","cold","narrow","delta","step","half","cents","round","fifth"],
				 "additionalProperties":false}""";
		@SuppressWarnings("unchecked")
		Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) ((Map<String, Object>) Json
			.parseExact(schemaText, "schema")).get("properties");
		for (String text : completeOutputs(schemaText)) {
			assertValid(schemaText, text);
			@SuppressWarnings("unchecked")
			Map<String, Object> values = (Map<String, Object>) Json.parseExact(text, "output");
			for (Map.Entry<String, Map<String, Object>> property : properties.entrySet()) {
				Object value = values.get(property.getKey());
				if (property.getValue().get("type").equals("integer")) {
					assertInstanceOf(Long.class, value, text);
				}
				assertTrue(NumberKeywords.admit(property.getValue(), NumberKeywords.exact(value)),
						property.getKey() + " in " + text);
			}
		}
	}

	/**
	 * The outputs of {@link #SEEDS} seeds under the schema that ended by their own stop
	 * (at least 90%): one ended by max tokens inside an unbounded string has nothing
	 * complete to check.
	 */
	private static List<String> completeOutputs(String schemaText) throws Exception {
		TokenMasks masks = new Constraints(model.tokenizer()).masks(new Grammars().jsonSchema(schemaText));
		int[] prompt = model.tokenizer().encode("Write it as JSON:", true, false);
		List<RequestHandle> handles = new ArrayList<>();
		for (int seed = 0; seed < SEEDS; seed++) {
			SamplingParams sampling = new SamplingParams(1f, 0, 1f, 0f, 1f, 0f, 0f, seed);
			handles.add(model.engine()
				.submit(new GenerationRequest(prompt, sampling, 200, List.of(), Optional.empty())
					.withConstraint(masks)));
		}
		List<String> complete = new ArrayList<>();
		for (RequestHandle handle : handles) {
			GenerationResult result = handle.result().get();
			if (result.finishReason() == FinishReason.STOP) {
				complete.add(result.text());
			}
		}
		assertTrue(complete.size() >= SEEDS * 9 / 10, "outputs complete: " + complete.size() + " of " + SEEDS);
		return complete;
	}

	private static void assertValid(String schemaText, String text) {
		Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaText);
		List<Error> errors = schema.validate(text, InputFormat.JSON,
				context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)));
		assertEquals(List.of(), errors.stream().map(Error::toString).toList(), text);
	}

}
