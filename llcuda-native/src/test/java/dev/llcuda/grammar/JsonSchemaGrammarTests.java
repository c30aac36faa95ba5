package dev.llcuda.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JSON Schema features compiled to grammars: which outputs each grammar accepts and
 * refuses.
 */
class JsonSchemaGrammarTests {

	private final Grammars grammars = new Grammars();

	static boolean accepts(Grammar grammar, String output) {
		MatchState state = MatchState.start(grammar).advance(output.getBytes(StandardCharsets.UTF_8));
		return state != null && state.accepting();
	}

	private void check(String schema, List<String> valid, List<String> invalid) {
		Grammar grammar = grammars.jsonSchema(schema);
		for (String output : valid) {
			assertTrue(accepts(grammar, output), () -> "should accept " + output);
		}
		for (String output : invalid) {
			assertFalse(accepts(grammar, output), () -> "should refuse " + output);
		}
	}

	@Test
	void objectsWithRequiredAndOptionalPropertiesInDeclaredOrder() {
		check("""
				{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
				 "ok":{"type":"boolean"}},"required":["name","ok"],"additionalProperties":false}""",
				List.of("{\"name\":\"Ann\",\"age\":31,\"ok\":true}", "{\"name\":\"\",\"ok\":false}",
						"{ \"name\" : \"x\" ,\n\"ok\": true }", " {\"name\":\"x\",\"ok\":true}\n"),
				List.of("{\"age\":3,\"ok\":true}", "{\"name\":\"x\"}", "{\"name\":\"x\",\"ok\":true,\"z\":1}",
						"{\"ok\":true,\"name\":\"x\"}", "{\"name\":\"x\",,\"ok\":true}", "{\"name\":\"x\",\"ok\":true",
						"{\"name\":\"x\",\"ok\":true}}", "{\"name\":\"x\",    \"ok\":true}"));
	}

	@Test
	void nestedObjectsAndRefsToDefs() {
		check("""
				{"$defs":{"Point":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},
				 "required":["x","y"]}},
				 "type":"object","properties":{"from":{"$ref":"#/$defs/Point"},"to":{"$ref":"#/$defs/Point"},
				 "meta":{"type":"object","properties":{"tag":{"type":"string"}},"required":["tag"]}},
				 "required":["from","to","meta"]}""",
				List.of("{\"from\":{\"x\":1,\"y\":-2.5},\"to\":{\"x\":0.0,\"y\":1e3},\"meta\":{\"tag\":\"t\"}}"),
				List.of("{\"from\":{\"x\":1},\"to\":{\"x\":0,\"y\":1},\"meta\":{\"tag\":\"t\"}}",
						"{\"from\":{\"x\":1,\"y\":2},\"to\":{\"x\":0,\"y\":1},\"meta\":{}}"));
	}

	@Test
	void enumsConstsAndTypeLists() {
		check("{\"enum\":[\"red\",\"green\",3,null,{\"a\":[1]}]}",
				List.of("\"red\"", "\"green\"", "3", "null", "{\"a\":[1]}"),
				List.of("\"blue\"", "\"re\"", "4", "{\"a\":[2]}"));
		check("{\"const\":\"only\"}", List.of("\"only\""), List.of("\"other\"", "\"onl\""));
		check("{\"type\":[\"string\",\"null\"],\"maxLength\":2}", List.of("\"ab\"", "null"), List.of("\"abc\"", "1"));
	}

	@Test
	void arraysWithMinAndMaxItems() {
		check("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":1,\"maxItems\":3}",
				List.of("[1]", "[1,2,3]", "[ 1 , -2 ]"), List.of("[]", "[1,2,3,4]", "[1,]", "[1.5]", "[\"a\"]"));
		check("{\"type\":\"array\",\"items\":{\"type\":\"boolean\"}}",
				List.of("[]", "[true]", "[true,false,true,true,false]"), List.of("[null]"));
		check("{\"type\":\"array\",\"maxItems\":0}", List.of("[]"), List.of("[1]"));
	}

	@Test
	void numbersIntegersAndBooleans() {
		check("{\"type\":\"integer\"}", List.of("0", "-7", "1234567890123456"),
				List.of("01", "1.5", "-", "+1", "1e3", "12345678901234567"));
		check("{\"type\":\"number\"}", List.of("0", "-0.5", "3.25E-7", "10e+2", "7"),
				List.of(".5", "1.", "1e", "--1", "1.5.2"));
		check("{\"type\":\"integer\",\"format\":\"int32\"}", List.of("999999999", "-5"), List.of("1000000000"));
		check("{\"type\":\"integer\",\"format\":\"int64\"}", List.of("999999999999999999"),
				List.of("1000000000000000000"));
		check("{\"type\":\"boolean\"}", List.of("true", "false"), List.of("tru", "True", "1"));
		check("{\"type\":\"null\"}", List.of("null"), List.of("nul", "\"null\""));
	}

	@Test
	void stringsCountCharactersNotBytesAndAllowEscapes() {
		check("{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}",
				List.of("\"ab\"", "\"abc\"", "\"é✓\"", "\"\\n\\u00e9\"", "\"a\\\"\""),
				List.of("\"a\"", "\"abcd\"", "\"a\nb\"", "\"a\\x\"", "\"ab"));
		check("{\"type\":\"string\"}", List.of("\"\"", "\"😀 x\""), List.of("\"\\u12\"", "\"\u0001\""));
	}

	@Test
	void anyOfIsEitherSchema() {
		check("{\"anyOf\":[{\"type\":\"string\",\"maxLength\":1},{\"type\":\"integer\"},"
				+ "{\"type\":\"object\",\"properties\":{\"k\":{\"const\":1}},\"required\":[\"k\"]}]}",
				List.of("\"a\"", "42", "{\"k\":1}"), List.of("\"ab\"", "1.5", "{\"k\":2}", "true"));
	}

	@Test
	void untypedSchemasAreAnyValueAndBareObjectsAnyObject() {
		check("{}", List.of("1", "\"s\"", "[{\"a\":[null,{}]}]", "{\"x\":{\"y\":[1,2]}}"), List.of("{", "nope"));
		check("{\"type\":\"object\"}", List.of("{}", "{\"a\":1,\"b\":[true]}"), List.of("[]", "1"));
		check("{\"type\":\"object\",\"additionalProperties\":false}", List.of("{}"), List.of("{\"a\":1}"));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
			"`{\"type\":\"string\",\"pattern\":\"a(?=b)\"}` => #/pattern: pattern \"a(?=b)\" at offset 2: lookaround '(?=b' is not supported",
			"`{\"type\":\"string\",\"pattern\":\"(?<!a)b\"}` => #/pattern: pattern \"(?<!a)b\" at offset 1: lookaround '(?<!' is not supported",
			"`{\"type\":\"string\",\"pattern\":\"(a)\\\\1\"}` => #/pattern: pattern \"(a)\\\\1\" at offset 4: backreference '\\1' is not supported",
			"`{\"type\":\"string\",\"pattern\":\"(?<n>a)\\\\k<n>\"}` => #/pattern: pattern \"(?<n>a)\\\\k<n>\" at offset 8: backreference '\\k'",
			"`{\"type\":\"string\",\"pattern\":\"a^b\"}` => #/pattern: pattern \"a^b\" at offset 2: anchor '^' after the start",
			"`{\"type\":\"string\",\"pattern\":\"a$b\"}` => #/pattern: pattern \"a$b\" at offset 2: anchor '$' before the end",
			"`{\"type\":\"string\",\"pattern\":\"^a|b\"}` => #/pattern: pattern \"^a|b\" at offset 4: anchors beside a top-level '|'",
			"`{\"type\":\"string\",\"pattern\":\"\\\\bword\"}` => #/pattern: pattern \"\\\\bword\" at offset 1: word boundary",
			"`{\"type\":\"string\",\"pattern\":\"\\\\p{L}\"}` => #/pattern: pattern \"\\\\p{L}\" at offset 1: Unicode property escape",
			"`{\"type\":\"string\",\"pattern\":\"[é]\"}` => #/pattern: pattern \"[é]\" at offset 2: non-ASCII character U+E9 in a class",
			"`{\"type\":\"string\",\"pattern\":\"(ab\"}` => #/pattern: pattern \"(ab\" at offset 3: unbalanced '('",
			"`{\"type\":\"string\",\"pattern\":\"ab)\"}` => #/pattern: pattern \"ab)\" at offset 2: unbalanced ')'",
			"`{\"type\":\"string\",\"pattern\":\"*a\"}` => #/pattern: pattern \"*a\" at offset 1: quantifier '*' without",
			"`{\"type\":\"string\",\"pattern\":\"^(a*)+$\"}` => #/pattern: pattern \"^(a*)+$\" at offset 6: an unbounded repetition of something that can match the empty string",
			"`{\"type\":\"string\",\"pattern\":\"(|b)*\"}` => #/pattern: pattern \"(|b)*\" at offset 5: an unbounded repetition",
			"`{\"type\":\"string\",\"pattern\":\"a{3,2}\"}` => #/pattern: pattern \"a{3,2}\" at offset 6: quantifier {3,2} out of order",
			"`{\"type\":\"string\",\"pattern\":\"[^\\\\x00-\\\\x7f]\"}` => #/pattern: pattern \"[^\\\\x00-\\\\x7f]\" at offset 12: a character class that matches no ASCII",
			"`{\"type\":\"string\",\"pattern\":\"a\",\"maxLength\":3}` => #/maxLength: keyword 'maxLength' beside 'pattern'",
			"`{\"type\":\"string\",\"pattern\":1}` => #/pattern: must be a string",
			"`{\"type\":\"string\",\"format\":\"email\"}` => #/format: format \"email\" is not supported for strings (date, time, date-time, uuid)",
			"`{\"type\":\"string\",\"format\":\"date\",\"pattern\":\"1\"}` => #/format: keyword 'format' beside 'pattern'",
			"`{\"type\":\"integer\",\"multipleOf\":1001}` => #/multipleOf: only a multipleOf whose multiples among the integers are those of k × 10^n with k up to 1000 (such as 25, 5000, 0.5 or 2.5) is supported, got 1001",
			"`{\"type\":\"integer\",\"multipleOf\":1001.5}` => #/multipleOf: only a multipleOf whose multiples among the integers are those of k × 10^n with k up to 1000 (such as 25, 5000, 0.5 or 2.5) is supported, got 1001.5",
			"`{\"type\":\"integer\",\"multipleOf\":0}` => #/multipleOf: must be a positive number, got 0",
			"`{\"type\":\"integer\",\"multipleOf\":\"5\"}` => #/multipleOf: must be a positive number, got \"5\"",
			"`{\"type\":\"integer\",\"multipleOf\":null}` => #/multipleOf: must be a positive number, got null",
			"`{\"type\":\"integer\",\"minimum\":1,\"maximum\":4,\"multipleOf\":5}` => #: no integer of at most 16 digits satisfies the bounds {\"minimum\":1,\"maximum\":4} and multipleOf 5",
			"`{\"type\":\"integer\",\"minimum\":1,\"multipleOf\":1e16}` => #: no integer of at most 16 digits satisfies the bounds {\"minimum\":1} and multipleOf 1E+16",
			"`{\"type\":[\"integer\",\"number\"],\"multipleOf\":1001}` => #/multipleOf: only a multipleOf whose multiples among the integers",
			"`{\"type\":\"number\",\"multipleOf\":0.1001}` => #/multipleOf: only an integer up to 1000 times a power of ten with at most 16 fraction digits (such as 25, 5000, 0.5 or 0.05) is supported, got 0.1001",
			"`{\"type\":\"number\",\"multipleOf\":1e-17}` => #/multipleOf: only an integer up to 1000 times a power of ten with at most 16 fraction digits (such as 25, 5000, 0.5 or 0.05) is supported, got 1E-17",
			"`{\"type\":\"number\",\"multipleOf\":-0.5}` => #/multipleOf: must be a positive number, got -0.5",
			"`{\"type\":\"number\",\"minimum\":0.3,\"maximum\":0.4,\"multipleOf\":0.25}` => #: no number of at most 16 integer digits satisfies the bounds {\"minimum\":0.3,\"maximum\":0.4} and multipleOf 0.25",
			"`{\"type\":\"integer\",\"exclusiveMinimum\":3,\"exclusiveMaximum\":4}` => #: no integer of at most 16 digits satisfies the bounds {\"exclusiveMinimum\":3,\"exclusiveMaximum\":4}",
			"`{\"type\":\"integer\",\"exclusiveMinimum\":true}` => #/exclusiveMinimum: must be a number",
			"`{\"type\":\"number\",\"minimum\":2,\"maximum\":1.5}` => #: no number of at most 16 integer and 16 fraction digits satisfies the bounds {\"minimum\":2,\"maximum\":1.5}",
			"`{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"exclusiveMaximum\":1e-17}}}` => #/properties/n: no number of at most 16 integer and 16 fraction digits satisfies the bounds {\"exclusiveMinimum\":0,\"exclusiveMaximum\":1E-17}",
			"`{\"type\":\"number\",\"exclusiveMinimum\":-0.5,\"maximum\":-0.5}` => #: no number",
			"`{\"type\":\"number\",\"minimum\":\"0\"}` => #/minimum: must be a number",
			"`{\"type\":\"integer\",\"format\":\"uint8\"}` => #/format: format \"uint8\" is not supported for integers",
			"`{\"type\":\"integer\",\"minimum\":5,\"maximum\":4}` => #: no integer of at most 16 digits satisfies the bounds {\"minimum\":5,\"maximum\":4}",
			"`{\"type\":\"integer\",\"minimum\":\"1\"}` => #/minimum: must be a number",
			"`{\"oneOf\":[{\"type\":\"string\"}]}` => #/oneOf: keyword 'oneOf' is not supported",
			"`{\"allOf\":[{\"type\":\"string\"}]}` => #/allOf: keyword 'allOf' is not supported",
			"`{\"not\":{\"type\":\"string\"}}` => #/not: keyword 'not' is not supported",
			"`{\"type\":\"array\",\"uniqueItems\":true}` => #/uniqueItems: keyword 'uniqueItems' is not supported",
			"`{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"}]}` => #/prefixItems: keyword 'prefixItems' is not supported",
			"`{\"type\":\"object\",\"minProperties\":1}` => #/minProperties: keyword 'minProperties' is not supported",
			"`{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"format\":\"float\"}}}` => #/properties/n/format: keyword 'format' is not supported for type [number]",
			"`{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}` => #/additionalProperties: only true or false",
			"`{\"type\":\"object\",\"properties\":{},\"required\":[\"a\"]}` => #/required: required property \"a\" is not declared",
			"`{\"type\":\"date\"}` => #/type: unknown type 'date'",
			"`{\"type\":\"integer\",\"maxLength\":3}` => #/maxLength: keyword 'maxLength' is not supported for type [integer]",
			"`{\"$defs\":{\"N\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/N\"}}}},\"$ref\":\"#/$defs/N\"}` => #/$defs/N/properties/next/$ref: recursive reference '#/$defs/N'",
			"`{\"$ref\":\"#/$defs/Missing\"}` => #/$ref: '#/$defs/Missing' is not defined",
			"`{\"$ref\":\"http://x/s.json\"}` => #/$ref: only references",
			"`{\"anyOf\":[{\"type\":\"string\"}],\"maxLength\":2}` => #/maxLength: keyword 'maxLength' beside 'anyOf'",
			"`{\"enum\":[\"a\"],\"maxLength\":2}` => #/maxLength: keyword 'maxLength' beside enum/const",
			"`{\"type\":\"string\",\"minLength\":3,\"maxLength\":2}` => #: minLength 3 exceeds maxLength 2",
			"`{\"type\":\"array\",\"maxItems\":99999}` => #/maxItems: must be an integer from 0 to 4096",
			"`{\"type\":\"integer\",\"enum\":[\"a\"]}` => #: value \"a\" is not of type [integer]",
			"`[1]` => #: a schema must be an object", "`{\"type\":` => #: not valid JSON" })
	void unsupportedOrMalformedSchemasAreRefusedNamingKeywordAndPath(String schema, String message) {
		SchemaException e = assertThrows(SchemaException.class, () -> grammars.jsonSchema(schema));
		assertTrue(e.getMessage().startsWith("JSON schema " + message), e.getMessage());
	}

	/**
	 * Integer bounds: every value in the range and none outside, for ranges across signs
	 * and digit counts.
	 */
	@ParameterizedTest(name = "[{0}, {1}]")
	@CsvSource({ "0, 0", "0, 9", "3, 7", "-5, 5", "-120, -7", "7, 120", "13, 1307", "-1, 0", "99, 101", "-1000, 1000",
			"5, 5", "-3, -3", "100, 999", "1234, 98765" })
	void integerMinimumAndMaximumHoldEveryValueInRangeAndNoneOutside(long min, long max) {
		Grammar grammar = grammars.jsonSchema("{\"type\":\"integer\",\"minimum\":" + min + ",\"maximum\":" + max + "}");
		for (long v = min - 1200; v <= max + 1200; v++) {
			long value = v;
			assertEquals(value >= min && value <= max, accepts(grammar, Long.toString(value)), () -> "value " + value);
		}
		for (String malformed : List.of("-0", "007", "+5", "1.0", "")) {
			assertFalse(accepts(grammar, malformed), () -> "should refuse " + malformed);
		}
	}

	@Test
	void oneSidedAndFractionalBoundsOnIntegers() {
		check("{\"type\":\"integer\",\"minimum\":-2}", List.of("-2", "0", "7", "123456789012"), List.of("-3", "-10"));
		check("{\"type\":\"integer\",\"maximum\":12,\"format\":\"int32\"}", List.of("12", "-999999999", "0"),
				List.of("13", "-1000000000"));
		check("{\"type\":\"integer\",\"minimum\":1.5,\"maximum\":3.9}", List.of("2", "3"), List.of("1", "4"));
		check("{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":150}},"
				+ "\"required\":[\"age\"]}", List.of("{\"age\":0}", "{\"age\":150}"),
				List.of("{\"age\":151}", "{\"age\":-1}"));
	}

	/**
	 * Exclusive bounds and multipleOf on integers: exactly the integers that satisfy
	 * them, for many combinations.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(quoteCharacter = '`',
			value = { "`\"exclusiveMinimum\":-3,\"exclusiveMaximum\":17`, -3, 17, false, false, 1",
					"`\"exclusiveMinimum\":2.5,\"maximum\":40`, 2.5, 40, false, true, 1",
					"`\"minimum\":-100,\"exclusiveMaximum\":-0.5,\"multipleOf\":7`, -100, -0.5, true, false, 7",
					"`\"multipleOf\":3`, -1e9, 1e9, true, true, 3",
					"`\"minimum\":-999,\"maximum\":1234,\"multipleOf\":25`, -999, 1234, true, true, 25",
					"`\"exclusiveMinimum\":0,\"multipleOf\":1000`, 0, 100000, false, true, 1000",
					"`\"minimum\":10,\"maximum\":12,\"exclusiveMinimum\":10.5`, 10.5, 12, false, true, 1" })
	void exclusiveBoundsAndMultipleOfHoldExactly(String keywords, double low, double high, boolean lowInclusive,
			boolean highInclusive, long multipleOf) {
		Grammar grammar = grammars.jsonSchema("{\"type\":\"integer\"," + keywords + "}");
		for (long v = -2500; v <= 2500; v++) {
			long value = v;
			boolean inside = (lowInclusive ? value >= low : value > low)
					&& (highInclusive ? value <= high : value < high) && value % multipleOf == 0;
			assertEquals(inside, accepts(grammar, Long.toString(value)), () -> "value " + value);
		}
		assertFalse(accepts(grammar, "-0"));
	}

	/**
	 * multipleOf on integers (decimal ones reduced to integers, powers of ten as trailing
	 * zeros) and on numbers (a fixed count of fraction digits), with bounds: every
	 * candidate with 0 to 3 fraction digits is accepted exactly when it is within the
	 * bounds, a multiple (BigDecimal remainder 0) and written with that count.
	 */
	@ParameterizedTest(name = "{0} {1}")
	@CsvSource(quoteCharacter = '`', value = { "integer, `\"multipleOf\":200`, 0",
			"integer, `\"multipleOf\":500,\"exclusiveMinimum\":-1500`, 0", "integer, `\"multipleOf\":1.7`, 0",
			"integer, `\"multipleOf\":0.5,\"minimum\":-3,\"exclusiveMaximum\":4`, 0",
			"integer, `\"multipleOf\":2.5,\"exclusiveMinimum\":-20.5`, 0",
			"integer, `\"multipleOf\":0.03,\"maximum\":100`, 0",
			"number, `\"multipleOf\":0.5,\"exclusiveMinimum\":-2,\"maximum\":7.5`, 1",
			"number, `\"multipleOf\":0.05,\"minimum\":-1.2,\"exclusiveMaximum\":0.35`, 2",
			"number, `\"multipleOf\":0.25`, 2", "number, `\"multipleOf\":0.003,\"minimum\":-2.1,\"maximum\":2.1`, 3",
			"number, `\"multipleOf\":20,\"exclusiveMinimum\":-100.5,\"maximum\":350.25`, 0",
			"number, `\"multipleOf\":7,\"exclusiveMaximum\":-7`, 0" })
	void multipleOfHoldsExactly(String type, String keywords, int fractionDigits) {
		String schema = "{\"type\":\"" + type + "\"," + keywords + "}";
		Grammar grammar = grammars.jsonSchema(schema);
		@SuppressWarnings("unchecked")
		java.util.Map<String, Object> parsed = (java.util.Map<String, Object>) dev.llcuda.template.Json
			.parseExact(schema, "schema");
		int accepted = 0;
		for (int scale = 0; scale <= 3; scale++) {
			for (long n = -3000; n <= 3000; n++) {
				java.math.BigDecimal value = java.math.BigDecimal.valueOf(n, scale);
				boolean inside = scale == fractionDigits && NumberKeywords.admit(parsed, value);
				assertEquals(inside, accepts(grammar, value.toPlainString()), schema + " " + value.toPlainString());
				accepted += inside ? 1 : 0;
			}
		}
		assertTrue(accepted >= 5, schema + " accepted " + accepted);
		for (String malformed : List.of("-0", "-0.0", "-0.00", "-0.000", "00", "1e2", "+5")) {
			assertFalse(accepts(grammar, malformed), () -> "should refuse " + malformed);
		}
	}

	/** multipleOf far from zero: the largest magnitudes, and zero alone. */
	@Test
	void multipleOfAtTheEdgesOfTheDigits() {
		check("{\"type\":\"number\",\"multipleOf\":0.25}", List.of("9999999999999999.75", "-0.25", "0.00"),
				List.of("10000000000000000.00", "0", "0.0", "1.5"));
		check("{\"type\":\"integer\",\"multipleOf\":1e6}", List.of("0", "-9999000000000000", "1000000"),
				List.of("000000", "-0", "10000000000000000", "1500000"));
		check("{\"type\":\"number\",\"multipleOf\":1e-16}", List.of("12.0000000000000001", "0.0000000000000000"),
				List.of("123.0000000000000001", "1.5"));
		check("{\"type\":\"integer\",\"multipleOf\":1000,\"format\":\"int32\"}", List.of("999999000", "0"),
				List.of("1000000000", "1000000000000"));
		check("{\"type\":[\"integer\",\"number\"],\"multipleOf\":1e400}", List.of("0"), List.of("-0", "1e400", "0.0"));
		check("{\"type\":\"integer\",\"multipleOf\":1.5e-400}", List.of("0", "-3", "3000"), List.of("1", "-4", "2"));
	}

	/**
	 * Bounds on numbers, against BigDecimal: for random decimal bounds (inclusive,
	 * exclusive, one-sided, across zero, with more fraction digits than generated), every
	 * random candidate is accepted exactly when it is a number of at most 16 fraction
	 * digits, not {@code -0}, within the bounds.
	 */
	@Test
	void numberBoundsHoldExactlyForRandomBoundsAndCandidates() {
		java.util.Random random = new java.util.Random(15);
		int compiled = 0;
		int accepted = 0;
		for (int round = 0; round < 60; round++) {
			java.math.BigDecimal low = randomDecimal(random);
			java.math.BigDecimal high = randomDecimal(random);
			if (low.compareTo(high) > 0) {
				java.math.BigDecimal t = low;
				low = high;
				high = t;
			}
			boolean lowExclusive = random.nextBoolean();
			boolean highExclusive = random.nextBoolean();
			boolean hasLow = round % 5 != 1;
			boolean hasHigh = round % 5 != 2;
			StringBuilder schema = new StringBuilder("{\"type\":\"number\"");
			if (hasLow) {
				schema.append(lowExclusive ? ",\"exclusiveMinimum\":" : ",\"minimum\":").append(low);
			}
			if (hasHigh) {
				schema.append(highExclusive ? ",\"exclusiveMaximum\":" : ",\"maximum\":").append(high);
			}
			Grammar grammar;
			try {
				grammar = grammars.jsonSchema(schema.append('}').toString());
			}
			catch (SchemaException e) {
				continue; // an empty range
			}
			compiled++;
			java.util.List<java.math.BigDecimal> edges = java.util.List.of(low, high);
			for (int i = 0; i < 400; i++) {
				String candidate = i < 40 ? nearEdge(edges.get(i % 2), random) : randomDecimal(random).toPlainString();
				java.math.BigDecimal value = new java.math.BigDecimal(candidate);
				int fraction = candidate.indexOf('.') < 0 ? 0 : candidate.length() - candidate.indexOf('.') - 1;
				boolean inside = (!hasLow || (lowExclusive ? value.compareTo(low) > 0 : value.compareTo(low) >= 0))
						&& (!hasHigh || (highExclusive ? value.compareTo(high) < 0 : value.compareTo(high) <= 0))
						&& fraction <= 16 && value.abs().compareTo(java.math.BigDecimal.TEN.pow(16)) < 0
						&& !(candidate.startsWith("-") && value.signum() == 0);
				String shown = schema + " " + candidate;
				assertEquals(inside, accepts(grammar, candidate), shown);
				accepted += inside ? 1 : 0;
			}
			assertFalse(accepts(grammar, "1e2"));
		}
		assertTrue(compiled >= 50 && accepted >= 2000, "compiled " + compiled + ", accepted " + accepted);
	}

	private static java.math.BigDecimal randomDecimal(java.util.Random random) {
		long unscaled = random.nextLong() % (long) Math.pow(10, 1 + random.nextInt(18));
		return java.math.BigDecimal.valueOf(unscaled, random.nextInt(20));
	}

	/**
	 * A candidate a few units of some digit away from {@code edge}, or the edge itself.
	 */
	private static String nearEdge(java.math.BigDecimal edge, java.util.Random random) {
		java.math.BigDecimal step = java.math.BigDecimal.ONE.movePointLeft(random.nextInt(18));
		return edge.add(step.multiply(java.math.BigDecimal.valueOf(random.nextInt(5) - 2))).toPlainString();
	}

	@Test
	void numberBoundsCommonCases() {
		check("{\"type\":\"number\",\"minimum\":0,\"maximum\":1}",
				List.of("0", "1", "0.5", "0.0000000000000001", "1.0000", "0.9999999999999999"),
				List.of("-0", "-0.0", "1.0000000000000001", "1.5", "-0.1", "1e0", "2"));
		check("{\"type\":\"number\",\"exclusiveMinimum\":-3.5,\"exclusiveMaximum\":0.25}",
				List.of("-3.4999999999999999", "0.2499", "0", "-3"), List.of("-3.5", "0.25", "-0", "0.250"));
		check("{\"type\":\"number\",\"minimum\":0.123456789012345678}", List.of("0.1234567890123457", "12"),
				List.of("0.1234567890123456", "0.123456789012345678"));
		check("{\"type\":[\"integer\",\"number\"],\"maximum\":3}", List.of("3", "2.5", "-7"), List.of("3.5", "4"));
	}

	/**
	 * Patterns against java.util.regex (find, as JSON Schema matches): every string over
	 * a small alphabet up to 4 characters, JSON-encoded; ASCII strings exactly, non-ASCII
	 * ones only where the regex matches too (classes generate ASCII only).
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "^a+$", "^(ab|b)*$", "a", "^[a-c]{2,3}$", "^[^a]?b$", "^\\d\\D$", "^\\w*\\s?$", "^.\\..$",
			"^a{2}$", "^(?:a|\"){1,2}b?$", "^[\\\\\"\\n-]+$", "^\\\\?\\\"$", "b$", "^(?<x>é|a)b*?$",
			"^[\\x61-\\u0062]{3,}$", "a|b|\"", "^\\t?[a\\]b]$", "^x{0}a$", "^$", "^-?[1-9]$", "^(a?){0,2}b$",
			"^(a|)b+$" })
	void patternsMatchExactlyWhatTheRegexMatches(String pattern) {
		Grammar grammar = grammars.jsonSchema("{\"type\":\"string\",\"pattern\":" + CompactJson.string(pattern) + "}");
		// java.util.regex's final '$' also matches before a final line break; ECMA's (and
		// the grammar's) does not.
		java.util.regex.Pattern regex = java.util.regex.Pattern
			.compile(pattern.endsWith("$") ? pattern.substring(0, pattern.length() - 1) + "\\z" : pattern);
		List<String> alphabet = List.of("a", "b", "c", "1", "-", "\"", "\\", "\n", " ", "\t", "]", ".", "é", "{");
		List<String> strings = new java.util.ArrayList<>(List.of(""));
		for (int length = 1, from = 0; length <= 4; length++) {
			int to = strings.size();
			for (int i = from; i < to; i++) {
				for (String c : alphabet) {
					strings.add(strings.get(i) + c);
				}
			}
			from = to;
		}
		int accepted = 0;
		for (String value : strings) {
			boolean grammarAccepts = accepts(grammar, CompactJson.string(value));
			boolean regexFinds = regex.matcher(value).find();
			if (value.chars().allMatch(c -> c < 0x80)) {
				assertEquals(regexFinds, grammarAccepts, () -> CompactJson.string(value));
			}
			else if (grammarAccepts) {
				assertTrue(regexFinds, () -> CompactJson.string(value));
			}
			accepted += grammarAccepts ? 1 : 0;
		}
		assertTrue(accepted >= 1, "accepted " + accepted);
	}

	/**
	 * Formats against java.time and UUID: every candidate over months 0..13, days 0..32
	 * and chosen years.
	 */
	@Test
	void dateFormatIsExactlyTheValidCalendarDates() {
		Grammar date = grammars.jsonSchema("{\"type\":\"string\",\"format\":\"date\"}");
		Grammar dateTime = grammars.jsonSchema("{\"type\":\"string\",\"format\":\"date-time\"}");
		for (int year : new int[] { 1000, 1600, 1700, 1900, 1996, 1999, 2000, 2023, 2024, 2100, 2400, 9999 }) {
			for (int month = 0; month <= 13; month++) {
				for (int day = 0; day <= 32; day++) {
					String text = String.format("%04d-%02d-%02d", year, month, day);
					boolean valid;
					try {
						java.time.LocalDate.parse(text);
						valid = true;
					}
					catch (java.time.DateTimeException e) {
						valid = false;
					}
					assertEquals(valid, accepts(date, "\"" + text + "\""), text);
					assertEquals(valid, accepts(dateTime, "\"" + text + "T23:59:59.5+01:00\""), text);
				}
			}
		}
		check("{\"type\":\"string\",\"format\":\"date\"}", List.of(),
				List.of("\"0999-01-01\"", "\"2024-1-01\"", "\"2024-01-01T00:00:00Z\"", "\"20240101\""));
	}

	@Test
	void timeDateTimeAndUuidFormats() {
		check("{\"type\":\"string\",\"format\":\"time\"}",
				List.of("\"00:00:00Z\"", "\"23:59:59+14:00\"", "\"12:30:05.123456789-05:30\"", "\"01:02:03-17:59\""),
				List.of("\"24:00:00Z\"", "\"12:60:00Z\"", "\"12:00:60Z\"", "\"12:00:00\"", "\"12:00Z\"",
						"\"12:00:00.Z\"", "\"12:00:00.1234567890Z\"", "\"12:00:00+24:00\"", "\"12:00:00-18:30\""));
		check("{\"type\":\"string\",\"format\":\"date-time\"}", List.of("\"2024-02-29T08:15:00Z\""),
				List.of("\"2023-02-29T08:15:00Z\"", "\"2024-02-29 08:15:00Z\"", "\"2024-02-29T08:15:00\""));
		check("{\"type\":\"string\",\"format\":\"uuid\"}",
				List.of("\"123e4567-e89b-12d3-a456-426614174000\"", "\"ABCDEF01-2345-6789-abcd-ef0123456789\""),
				List.of("\"123e4567e89b12d3a456426614174000\"", "\"123e4567-e89b-12d3-a456-42661417400\"",
						"\"g23e4567-e89b-12d3-a456-426614174000\""));
	}

	@Test
	void jsonModeAcceptsAnyObjectOnly() {
		Grammar grammar = grammars.jsonObject();
		assertTrue(accepts(grammar, "{\"a\":{\"b\":[1,{\"c\":null}],\"d\":\"e\"}}"));
		assertTrue(accepts(grammar, "{}"));
		assertFalse(accepts(grammar, "[1]"));
		assertFalse(accepts(grammar, "{\"a\"}"));
	}

	@Test
	void choiceIsExactlyOneOfTheStrings() {
		Grammar grammar = grammars.choice(List.of("yes", "no", "maybe"));
		assertTrue(accepts(grammar, "yes"));
		assertTrue(accepts(grammar, "maybe"));
		assertFalse(accepts(grammar, "ye"));
		assertFalse(accepts(grammar, "yes "));
		assertThrows(IllegalArgumentException.class, () -> grammars.choice(List.of()));
	}

	@Test
	void compiledGrammarsAreCached() {
		String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
		assertSame(grammars.jsonSchema(schema), grammars.jsonSchema(schema));
		assertSame(grammars.jsonObject(), grammars.jsonObject());
		assertEquals(false, grammars.jsonSchema(schema) == grammars.jsonSchema("{\"type\":\"string\"}"));
	}

}
