package dev.llcuda.grammar;

import static dev.llcuda.grammar.RuleBuilder.empty;
import static dev.llcuda.grammar.RuleBuilder.seq;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * JSON Schema to {@link Grammar}. Supported: {@code type} (one or a list),
 * {@code properties}, {@code required}, {@code additionalProperties} (true or false: only
 * declared properties are generated), {@code items}, {@code minItems}, {@code maxItems},
 * {@code minLength}, {@code maxLength}, {@code pattern} (see {@link PatternCompiler}),
 * {@code format} date, time, date-time and uuid on strings (see {@link StringFormats}),
 * {@code enum}, {@code const}, {@code anyOf}, {@code $ref} to {@code $defs} or
 * {@code definitions} (not recursive), {@code format} {@code int32}/{@code int64} on
 * integers (generated with at most 9/18 digits, so every value fits),
 * {@code minimum}/{@code maximum}/{@code exclusiveMinimum}/{@code exclusiveMaximum} on
 * integers and numbers, exactly (compared as decimals; bounded numbers have no exponent),
 * {@code multipleOf} of the form {@link Multiple} on both, exactly, and annotations.
 * Every other keyword, and every other multipleOf, is refused with its path, never
 * ignored. Properties are generated in the order the schema declares them.
 */
final class JsonSchemaCompiler {

	/**
	 * Largest minLength/maxLength/minItems/maxItems: each unit of a bound is one rule.
	 */
	static final int MAX_BOUND = 4096;

	private static final List<String> INTEGER_BOUNDS = List.of("minimum", "maximum", "exclusiveMinimum",
			"exclusiveMaximum");

	private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment",
			"examples", "default", "readOnly", "writeOnly", "deprecated", "$defs", "definitions");

	private static final Map<String, Set<String>> TYPE_KEYWORDS = Map.of("object",
			Set.of("properties", "required", "additionalProperties"), "array", Set.of("items", "minItems", "maxItems"),
			"string", Set.of("minLength", "maxLength", "pattern", "format"), "integer",
			Set.of("format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"), "number",
			Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"), "boolean", Set.of(),
			"null", Set.of());

	private final RuleBuilder rules = new RuleBuilder();

	private final Map<String, Object> root;

	private final Map<String, Integer> compiledRefs = new HashMap<>();

	private final Set<String> refsInProgress = new HashSet<>();

	private JsonSchemaCompiler(Map<String, Object> root) {
		this.root = root;
	}

	static Grammar compile(Object schema) {
		if (!(schema instanceof Map<?, ?>)) {
			throw new SchemaException("#", "a schema must be an object");
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> root = (Map<String, Object>) schema;
		JsonSchemaCompiler compiler = new JsonSchemaCompiler(root);
		int value = compiler.node(root, "#");
		int ws = compiler.rules.whitespace();
		return compiler.rules.build(compiler.rules.rule(seq(ws, value, ws)));
	}

	/**
	 * {@code prefix}, then 1 to {@code maxValues} (below 1: any number of) JSON values
	 * valid against {@code schema} separated by {@code separator}, then {@code suffix};
	 * literals are written as given.
	 */
	static Grammar compileList(Object schema, String prefix, String separator, int maxValues, String suffix) {
		if (!(schema instanceof Map<?, ?>)) {
			throw new SchemaException("#", "a schema must be an object");
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> root = (Map<String, Object>) schema;
		JsonSchemaCompiler compiler = new JsonSchemaCompiler(root);
		int value = compiler.node(root, "#");
		int more = compiler.rules.repeat(seq(separator, value), 0, maxValues < 1 ? -1 : maxValues - 1);
		return compiler.rules.build(compiler.rules.rule(seq(prefix, value, more, suffix)));
	}

	private int node(Object schema, String path) {
		if (Boolean.TRUE.equals(schema)) {
			return rules.anyValue();
		}
		if (!(schema instanceof Map<?, ?> raw)) {
			throw new SchemaException(path, "a schema must be an object or true, got " + CompactJson.write(schema));
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> node = (Map<String, Object>) raw;
		if (node.containsKey("$ref")) {
			onlyWith(node, path, "$ref");
			return ref(node.get("$ref"), path + "/$ref");
		}
		if (node.containsKey("anyOf")) {
			onlyWith(node, path, "anyOf");
			return anyOf(node.get("anyOf"), path + "/anyOf");
		}
		List<String> types = types(node, path);
		if (node.containsKey("enum") || node.containsKey("const")) {
			return literals(node, types, path);
		}
		checkKeywords(node, types, path);
		if (types.isEmpty()) {
			return rules.anyValue();
		}
		int alternatives = rules.declare();
		for (String type : types) {
			rules.addAlternative(alternatives, seq(typed(type, node, path)));
		}
		return alternatives;
	}

	private static void onlyWith(Map<String, Object> node, String path, String keyword) {
		for (String key : node.keySet()) {
			if (!key.equals(keyword) && !ANNOTATIONS.contains(key)) {
				throw new SchemaException(path + "/" + key,
						"keyword '" + key + "' beside '" + keyword + "' is not supported");
			}
		}
	}

	/**
	 * The types the node allows; empty when it names none (any value, or what
	 * properties/items imply).
	 */
	private static List<String> types(Map<String, Object> node, String path) {
		Object type = node.get("type");
		List<String> types = new ArrayList<>();
		if (type instanceof String s) {
			types.add(s);
		}
		else if (type instanceof List<?> list && !list.isEmpty()) {
			for (Object t : list) {
				types.add(String.valueOf(t));
			}
		}
		else if (type != null) {
			throw new SchemaException(path + "/type", "must be a type name or a non-empty list of them");
		}
		else if (node.containsKey("properties") || node.containsKey("additionalProperties")
				|| node.containsKey("required")) {
			types.add("object");
		}
		else if (node.containsKey("items") || node.containsKey("minItems") || node.containsKey("maxItems")) {
			types.add("array");
		}
		else if (node.containsKey("minLength") || node.containsKey("maxLength") || node.containsKey("pattern")) {
			types.add("string");
		}
		for (String t : types) {
			if (!TYPE_KEYWORDS.containsKey(t)) {
				throw new SchemaException(path + "/type", "unknown type '" + t + "'");
			}
		}
		return types;
	}

	private static void checkKeywords(Map<String, Object> node, List<String> types, String path) {
		for (String key : node.keySet()) {
			if (key.equals("type") || ANNOTATIONS.contains(key)) {
				continue;
			}
			boolean applies = types.stream().anyMatch(t -> Objects.requireNonNull(TYPE_KEYWORDS.get(t)).contains(key));
			boolean known = TYPE_KEYWORDS.values().stream().anyMatch(k -> k.contains(key));
			if (!applies) {
				throw new SchemaException(path + "/" + key,
						known ? "keyword '" + key + "' is not supported for type " + types
								: "keyword '" + key + "' is not supported");
			}
		}
	}

	private int typed(String type, Map<String, Object> node, String path) {
		return switch (type) {
			case "object" -> object(node, path);
			case "array" -> array(node, path);
			case "string" -> string(node, path);
			case "integer" -> integer(node, path);
			case "number" -> number(node, path);
			case "boolean" -> rules.bool();
			default -> rules.nullValue();
		};
	}

	/**
	 * A string of minLength..maxLength characters, or one matching {@code pattern} or
	 * {@code format}.
	 */
	private int string(Map<String, Object> node, String path) {
		List<String> shapes = List.of("pattern", "format").stream().filter(node::containsKey).toList();
		if (shapes.isEmpty()) {
			int min = bound(node, "minLength", 0, path);
			int max = bound(node, "maxLength", -1, path);
			requireOrdered(min, max, "minLength", "maxLength", path);
			return rules.string(min, max);
		}
		for (String other : List.of("minLength", "maxLength", "format")) {
			if (node.containsKey(other) && !other.equals(shapes.get(0))) {
				throw new SchemaException(path + "/" + other,
						"keyword '" + other + "' beside '" + shapes.get(0) + "' is not supported");
			}
		}
		String keyword = shapes.get(0);
		Object value = node.get(keyword);
		if (keyword.equals("format")) {
			String pattern = StringFormats.PATTERNS.get(String.valueOf(value));
			if (pattern == null) {
				throw new SchemaException(path + "/format", "format " + CompactJson.write(value)
						+ " is not supported for strings (date, time, date-time, uuid)");
			}
			return PatternCompiler.jsonString(rules, pattern, path + "/format");
		}
		if (!(value instanceof String pattern)) {
			throw new SchemaException(path + "/pattern", "must be a string, got " + CompactJson.write(value));
		}
		return PatternCompiler.jsonString(rules, pattern, path + "/pattern");
	}

	/**
	 * An integer of at most the format's digits, within {@code minimum}/{@code maximum}
	 * and {@code exclusiveMinimum}/{@code exclusiveMaximum} when given (a fractional
	 * bound is rounded inwards, as integers satisfy it), a multiple of {@code multipleOf}
	 * when given (see {@link Multiple#ofInteger}).
	 */
	private int integer(Map<String, Object> node, String path) {
		int digits = integerDigits(node.get("format"), path);
		Multiple multiple = node.containsKey("multipleOf")
				? Multiple.ofInteger(node.get("multipleOf"), path + "/multipleOf") : Multiple.ONE;
		if (multiple.equals(Multiple.ONE) && INTEGER_BOUNDS.stream().noneMatch(node::containsKey)) {
			return rules.integer(digits);
		}
		return multiples(node, multiple, digits, "integer of at most " + digits + " digits", path);
	}

	/**
	 * The multiples of {@code multiple} of at most {@code integerDigits} integer digits
	 * within the node's bounds; refused, naming them, where there is none.
	 */
	private int multiples(Map<String, Object> node, Multiple multiple, int integerDigits, String what, String path) {
		long largest = multiple.largest(integerDigits);
		long min = Math.max(multiple.bound(decimal(node, "minimum", path), true, false, largest),
				multiple.bound(decimal(node, "exclusiveMinimum", path), true, true, largest));
		long max = Math.min(multiple.bound(decimal(node, "maximum", path), false, false, largest),
				multiple.bound(decimal(node, "exclusiveMaximum", path), false, true, largest));
		int rule = min > max ? -1 : rules.multiples(min, max, multiple);
		if (rule < 0 || rules.matchesNothing(rule)) {
			String multipleOf = node.containsKey("multipleOf")
					? " and multipleOf " + CompactJson.write(node.get("multipleOf")) : "";
			throw new SchemaException(path,
					"no " + what + " satisfies the bounds " + CompactJson.write(bounds(node)) + multipleOf);
		}
		return rule;
	}

	/**
	 * A number within {@code minimum}/{@code maximum} and
	 * {@code exclusiveMinimum}/{@code exclusiveMaximum} when given, compared exactly (see
	 * {@link RuleBuilder#numberRange}): bounded numbers are written without an exponent.
	 * With {@code multipleOf} (see {@link Multiple#ofNumber}) its multiples within them.
	 */
	private int number(Map<String, Object> node, String path) {
		if (node.containsKey("multipleOf")) {
			Multiple multiple = Multiple.ofNumber(node.get("multipleOf"), path + "/multipleOf");
			return multiples(node, multiple, RuleBuilder.MAX_DIGITS,
					"number of at most " + RuleBuilder.MAX_DIGITS + " integer digits", path);
		}
		if (INTEGER_BOUNDS.stream().noneMatch(node::containsKey)) {
			return rules.number();
		}
		RuleBuilder.Bound min = tighter(decimal(node, "minimum", path), decimal(node, "exclusiveMinimum", path), true);
		RuleBuilder.Bound max = tighter(decimal(node, "maximum", path), decimal(node, "exclusiveMaximum", path), false);
		int rule = rules.numberRange(min, max);
		if (rules.matchesNothing(rule)) {
			throw new SchemaException(path,
					"no number of at most " + RuleBuilder.MAX_DIGITS + " integer and " + RuleBuilder.MAX_DIGITS
							+ " fraction digits satisfies the bounds " + CompactJson.write(bounds(node)));
		}
		return rule;
	}

	/** The tighter of an inclusive and an exclusive bound (either may be absent). */
	private static RuleBuilder.@Nullable Bound tighter(@Nullable BigDecimal inclusive, @Nullable BigDecimal exclusive,
			boolean lower) {
		if (exclusive == null) {
			return inclusive == null ? null : new RuleBuilder.Bound(inclusive, true);
		}
		if (inclusive == null) {
			return new RuleBuilder.Bound(exclusive, false);
		}
		int order = inclusive.compareTo(exclusive);
		boolean inclusiveWins = lower ? order > 0 : order < 0;
		return inclusiveWins ? new RuleBuilder.Bound(inclusive, true) : new RuleBuilder.Bound(exclusive, false);
	}

	private static Map<String, Object> bounds(Map<String, Object> node) {
		Map<String, Object> bounds = new LinkedHashMap<>();
		for (String keyword : INTEGER_BOUNDS) {
			if (node.containsKey(keyword)) {
				bounds.put(keyword, node.get(keyword));
			}
		}
		return bounds;
	}

	/**
	 * The number a bound keyword holds, exactly (a {@link Double} from a reader that is
	 * not exact is taken as its shortest decimal spelling); null when absent.
	 */
	private static @Nullable BigDecimal decimal(Map<String, Object> node, String keyword, String path) {
		Object value = node.get(keyword);
		if (value == null) {
			return null;
		}
		if (value instanceof Long n) {
			return BigDecimal.valueOf(n);
		}
		if (value instanceof BigDecimal d) {
			return d;
		}
		if (value instanceof Double d && Double.isFinite(d)) {
			return BigDecimal.valueOf(d);
		}
		throw new SchemaException(path + "/" + keyword, "must be a number, got " + CompactJson.write(value));
	}

	/**
	 * Digits an integer may have: {@code int32}/{@code int64} bound them so every value
	 * fits.
	 */
	private static int integerDigits(@Nullable Object format, String path) {
		if (format == null) {
			return RuleBuilder.MAX_DIGITS;
		}
		return switch (String.valueOf(format)) {
			case "int32" -> 9;
			case "int64" -> 18;
			default -> throw new SchemaException(path + "/format",
					"format " + CompactJson.write(format) + " is not supported for integers (int32, int64)");
		};
	}

	private int object(Map<String, Object> node, String path) {
		Object additional = node.getOrDefault("additionalProperties", Boolean.TRUE);
		if (!(additional instanceof Boolean)) {
			throw new SchemaException(path + "/additionalProperties", "only true or false is supported, not a schema");
		}
		Object declared = node.getOrDefault("properties", Map.of());
		if (!(declared instanceof Map<?, ?> propertiesRaw)) {
			throw new SchemaException(path + "/properties", "must be an object");
		}
		Set<String> required = new HashSet<>();
		Object requiredRaw = node.getOrDefault("required", List.of());
		if (!(requiredRaw instanceof List<?> requiredList)) {
			throw new SchemaException(path + "/required", "must be a list of property names");
		}
		for (Object name : requiredList) {
			if (!propertiesRaw.containsKey(name)) {
				throw new SchemaException(path + "/required",
						"required property " + CompactJson.write(name) + " is not declared in properties");
			}
			required.add((String) name);
		}
		if (propertiesRaw.isEmpty() && Boolean.TRUE.equals(additional)) {
			return rules.anyObject();
		}
		Map<String, Integer> values = new LinkedHashMap<>();
		for (Map.Entry<?, ?> e : propertiesRaw.entrySet()) {
			String name = String.valueOf(e.getKey());
			values.put(name, node(e.getValue(), path + "/properties/" + name));
		}
		return members(values, required);
	}

	/**
	 * Properties in order, each required or optional: from each property on, one rule for
	 * "no property written yet" and one for "after a comma-separated property".
	 */
	private int members(Map<String, Integer> values, Set<String> required) {
		int ws = rules.whitespace();
		List<String> names = new ArrayList<>(values.keySet());
		int first = rules.rule(empty());
		int later = first;
		for (int i = names.size() - 1; i >= 0; i--) {
			String name = names.get(i);
			int member = rules
				.rule(seq(CompactJson.string(name), ws, ":", ws, Objects.requireNonNull(values.get(name))));
			boolean optional = !required.contains(name);
			int nextFirst = first;
			int nextLater = later;
			first = optional ? rules.rule(seq(member, nextLater), seq(nextFirst)) : rules.rule(seq(member, nextLater));
			later = optional ? rules.rule(seq(ws, ",", ws, member, nextLater), seq(nextLater))
					: rules.rule(seq(ws, ",", ws, member, nextLater));
		}
		return rules.rule(seq("{", ws, first, ws, "}"));
	}

	private int array(Map<String, Object> node, String path) {
		int item = node.containsKey("items") ? node(node.get("items"), path + "/items") : rules.anyValue();
		int min = bound(node, "minItems", 0, path);
		int max = bound(node, "maxItems", -1, path);
		requireOrdered(min, max, "minItems", "maxItems", path);
		return rules.array(item, min, max);
	}

	private int literals(Map<String, Object> node, List<String> types, String path) {
		for (String key : node.keySet()) {
			if (!key.equals("enum") && !key.equals("const") && !key.equals("type") && !ANNOTATIONS.contains(key)) {
				throw new SchemaException(path + "/" + key, "keyword '" + key + "' beside enum/const is not supported");
			}
		}
		List<Object> values = new ArrayList<>();
		if (node.containsKey("const")) {
			values.add(node.get("const"));
		}
		if (node.containsKey("enum")) {
			if (!(node.get("enum") instanceof List<?> list) || list.isEmpty()) {
				throw new SchemaException(path + "/enum", "must be a non-empty list");
			}
			values.addAll(list);
		}
		int alternatives = rules.declare();
		for (Object value : values) {
			if (!types.isEmpty() && !types.contains(typeOf(value))) {
				throw new SchemaException(path, "value " + CompactJson.write(value) + " is not of type " + types);
			}
			rules.addAlternative(alternatives, seq(rules.literal(CompactJson.write(value))));
		}
		return alternatives;
	}

	private static String typeOf(Object value) {
		if (value == null) {
			return "null";
		}
		if (value instanceof String) {
			return "string";
		}
		if (value instanceof Boolean) {
			return "boolean";
		}
		if (value instanceof Long) {
			return "integer";
		}
		if (value instanceof Number) {
			return "number";
		}
		return value instanceof List<?> ? "array" : "object";
	}

	private int anyOf(Object options, String path) {
		if (!(options instanceof List<?> list) || list.isEmpty()) {
			throw new SchemaException(path, "must be a non-empty list of schemas");
		}
		int alternatives = rules.declare();
		for (int i = 0; i < list.size(); i++) {
			rules.addAlternative(alternatives, seq(node(list.get(i), path + "/" + i)));
		}
		return alternatives;
	}

	private int ref(Object target, String path) {
		if (!(target instanceof String pointer)) {
			throw new SchemaException(path, "must be a string");
		}
		Integer compiled = compiledRefs.get(pointer);
		if (compiled != null) {
			return compiled;
		}
		String[] parts = pointer.split("/", -1);
		if (parts.length != 3 || !parts[0].equals("#")
				|| !(parts[1].equals("$defs") || parts[1].equals("definitions"))) {
			throw new SchemaException(path,
					"only references '#/$defs/NAME' and '#/definitions/NAME' are supported, got '" + pointer + "'");
		}
		Object defs = root.get(parts[1]);
		if (!(defs instanceof Map<?, ?> map) || !map.containsKey(parts[2])) {
			throw new SchemaException(path, "'" + pointer + "' is not defined");
		}
		if (!refsInProgress.add(pointer)) {
			throw new SchemaException(path, "recursive reference '" + pointer + "' is not supported");
		}
		int rule = node(map.get(parts[2]), pointer);
		refsInProgress.remove(pointer);
		compiledRefs.put(pointer, rule);
		return rule;
	}

	private static int bound(Map<String, Object> node, String keyword, int absent, String path) {
		Object value = node.get(keyword);
		if (value == null) {
			return absent;
		}
		if (!(value instanceof Long n) || n < 0 || n > MAX_BOUND) {
			throw new SchemaException(path + "/" + keyword,
					"must be an integer from 0 to " + MAX_BOUND + ", got " + CompactJson.write(value));
		}
		return n.intValue();
	}

	private static void requireOrdered(int min, int max, String minName, String maxName, String path) {
		if (max >= 0 && min > max) {
			throw new SchemaException(path, minName + " " + min + " exceeds " + maxName + " " + max);
		}
	}

}
