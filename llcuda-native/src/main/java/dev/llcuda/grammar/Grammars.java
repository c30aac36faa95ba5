package dev.llcuda.grammar;

import static dev.llcuda.grammar.RuleBuilder.seq;

import dev.llcuda.template.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The grammars a request can ask for, each compiled once and kept in a bounded cache
 * (least recently used dropped first). Thread-safe.
 */
public final class Grammars {

	/** Compiled grammars kept. */
	static final int MAX_CACHED = 256;

	private final Map<String, Grammar> cache = new LinkedHashMap<>(16, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Grammar> eldest) {
			return size() > MAX_CACHED;
		}
	};

	/**
	 * Output that is one JSON value valid against {@code schema} (JSON Schema text).
	 * @throws SchemaException naming the keyword and path of what is not supported, or
	 * malformed JSON
	 */
	public Grammar jsonSchema(String schema) {
		return cached("schema:" + schema, () -> {
			Object parsed;
			try {
				parsed = Json.parseExact(schema, "schema");
			}
			catch (IllegalArgumentException e) {
				throw new SchemaException("#", "not valid JSON: " + e.getMessage());
			}
			return JsonSchemaCompiler.compile(parsed);
		});
	}

	/**
	 * Output that is only tool calls: {@code prefix}, one call (or, when {@code several},
	 * one or more separated by {@code separator}), {@code suffix}. Each call is the JSON
	 * object {@code {"name": NAME, ARGUMENTS_KEY: ARGUMENTS}} of one of
	 * {@code parameterSchemas} (tool name to the JSON Schema text of its arguments), its
	 * arguments valid under that schema.
	 * @throws SchemaException naming the keyword and path (under the tool's name) of what
	 * is not supported
	 */
	public Grammar toolCalls(Map<String, String> parameterSchemas, String argumentsKey, String prefix, String separator,
			boolean several, String suffix) {
		if (parameterSchemas.isEmpty()) {
			throw new IllegalArgumentException("forced tool calls need at least one tool");
		}
		String key = "tools:"
				+ CompactJson.write(List.of(parameterSchemas, argumentsKey, prefix, separator, several, suffix));
		return cached(key, () -> {
			List<Object> calls = new ArrayList<>();
			for (Map.Entry<String, String> tool : parameterSchemas.entrySet()) {
				Object arguments;
				try {
					arguments = Json.parseExact(tool.getValue(), "parameters of tool " + tool.getKey());
				}
				catch (IllegalArgumentException e) {
					throw new SchemaException(tool.getKey(), "parameters are not valid JSON: " + e.getMessage());
				}
				Map<String, Object> properties = new LinkedHashMap<>();
				properties.put("name", Map.of("const", tool.getKey()));
				properties.put(argumentsKey, arguments);
				calls.add(Map.of("type", "object", "properties", properties, "required", List.of("name", argumentsKey),
						"additionalProperties", false));
			}
			Object call = calls.size() == 1 ? calls.get(0) : Map.of("anyOf", calls);
			return JsonSchemaCompiler.compileList(call, prefix, separator, several ? 0 : 1, suffix);
		});
	}

	/** Output that is any JSON object (JSON mode). */
	public Grammar jsonObject() {
		return cached("json-object", () -> {
			RuleBuilder rules = new RuleBuilder();
			int ws = rules.whitespace();
			return rules.build(rules.rule(seq(ws, rules.anyObject(), ws)));
		});
	}

	/** Output that is exactly one of {@code choices}. */
	public Grammar choice(List<String> choices) {
		if (choices.isEmpty()) {
			throw new IllegalArgumentException("a choice needs at least one string");
		}
		return cached("choice:" + CompactJson.write(choices), () -> {
			RuleBuilder rules = new RuleBuilder();
			int root = rules.declare();
			for (String choice : choices) {
				if (choice.isEmpty()) {
					throw new IllegalArgumentException("a choice must not be empty");
				}
				rules.addAlternative(root, seq(choice));
			}
			return rules.build(root);
		});
	}

	private Grammar cached(String key, Supplier<Grammar> compile) {
		synchronized (cache) {
			Grammar grammar = cache.get(key);
			if (grammar == null) {
				grammar = compile.get();
				cache.put(key, grammar);
			}
			return grammar;
		}
	}

}
