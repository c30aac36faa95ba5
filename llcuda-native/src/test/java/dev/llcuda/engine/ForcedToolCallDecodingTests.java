package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.llcuda.grammar.Constraints;
import dev.llcuda.grammar.Grammars;
import dev.llcuda.grammar.TokenMasks;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.tools.ParsedReply;
import dev.llcuda.tools.ToolCall;
import dev.llcuda.tools.ToolCallFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Forced tool calls through the engine in every format's syntax (Llama 3 JSON, Hermes,
 * Mistral, generic JSON): a random-weights micro model decoding under the forced-call
 * grammar (one call, as with parallel_tool_calls false), 200 seeds sampled and one
 * greedy, always writes a call that the format's own parser reads back, of one of the
 * tools, its arguments valid under the tool's schema (networknt validator).
 */
class ForcedToolCallDecodingTests {

	private static final Path MODEL = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models",
			"micro-llama-f32.gguf");

	private static final int SEEDS = 200;

	private static final Map<String, String> TOOLS = new LinkedHashMap<>();

	static {
		TOOLS.put("get_weather", """
				{"type":"object","properties":{"city":{"enum":["Paris","Rome"]},
				 "unit":{"type":"string","pattern":"^(C|F)$"}},"required":["city"],"additionalProperties":false}""");
		TOOLS.put("get_date", """
				{"type":"object","properties":{"day":{"type":"integer","minimum":1,"maximum":31},
				 "on":{"type":"string","format":"date"}},"required":["day"],"additionalProperties":false}""");
	}

	private static Backend backend;

	private static ModelEngine model;

	@BeforeAll
	static void open() throws Exception {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
		model = ModelEngine.open(backend, MODEL,
				ModelEngine.Options.defaults().withEngineConfig(c -> c.withLimits(32, 256, SEEDS + 1)));
	}

	@AfterAll
	static void close() {
		model.close();
		backend.close();
	}

	@ParameterizedTest
	@EnumSource(ToolCallFormat.class)
	void forcedCallsParseBackAsValidCallsOfTheTools(ToolCallFormat format) throws Exception {
		Map<String, Schema> schemas = new LinkedHashMap<>();
		TOOLS.forEach((name, schema) -> schemas.put(name,
				SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema)));
		TokenMasks masks = new Constraints(model.tokenizer()).masks(format.forcedCalls(new Grammars(), TOOLS, false));
		int[] prompt = model.tokenizer().encode("Call the tools:", true, false);
		List<RequestHandle> handles = new ArrayList<>();
		for (int seed = 0; seed <= SEEDS; seed++) {
			SamplingParams sampling = new SamplingParams(seed == SEEDS ? 0f : 1f, 0, 1f, 0f, 1f, 0f, 0f, seed);
			handles.add(model.engine()
				.submit(new GenerationRequest(prompt, sampling, 300, List.of(), Optional.empty())
					.withConstraint(masks)));
		}
		for (RequestHandle handle : handles) {
			GenerationResult result = handle.result().get();
			String text = result.text();
			assertEquals(FinishReason.STOP, result.finishReason(),
					() -> format + " ended by " + result.finishReason() + ": " + text);
			ParsedReply reply = format.syntax().parse(text);
			assertEquals(1, reply.toolCalls().size(), () -> format + " read not one call from " + text);
			for (ToolCall call : reply.toolCalls()) {
				assertTrue(schemas.containsKey(call.name()), () -> format + " called " + call.name() + ": " + text);
				List<Error> errors = schemas.get(call.name())
					.validate(call.arguments(), InputFormat.JSON,
							context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)));
				assertEquals(List.of(), errors.stream().map(Error::toString).toList(), () -> format + ": " + text);
			}
		}
	}

}
