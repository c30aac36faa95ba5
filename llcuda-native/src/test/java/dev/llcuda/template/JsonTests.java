package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JSON reader, and the writer that matches Python's json.dumps byte for byte. */
class JsonTests {

	@Test
	void readsEveryValueType() {
		Object value = Json.parse("{\"s\": \"a\\\"\\u00fc\\n\", \"i\": -12, \"f\": 2.5e3, \"t\": true, \"n\": null,"
				+ " \"l\": [1, [], {}]}", "inline");
		Map<String, Object> map = (Map<String, Object>) value;
		assertEquals(List.of("s", "i", "f", "t", "n", "l"), List.copyOf(map.keySet()));
		assertEquals(null, map.get("n"));
		map.remove("n");
		assertEquals(Map.of("s", "a\"ü\n", "i", -12L, "f", 2500.0, "t", true, "l", List.of(1L, List.of(), Map.of())),
				map);
	}

	@Test
	void exactParsingKeepsEveryDigitOfNumbersThatAreNotLongs() {
		Object value = Json.parseExact(
				"[-12, 0.1, 0.30000000000000000001, 2.5e3, 99999999999999999999, -9223372036854775808, 1E-400]",
				"inline");
		assertEquals(
				List.of(-12L, new BigDecimal("0.1"), new BigDecimal("0.30000000000000000001"), new BigDecimal("2.5e3"),
						new BigDecimal("99999999999999999999"), Long.MIN_VALUE, new BigDecimal("1E-400")),
				value);
		for (String malformed : List.of("01", "1.", "-", "1e", "1.5e+", "--1", "1e99999999999")) {
			assertThrows(IllegalArgumentException.class, () -> Json.parseExact(malformed, "inline"), malformed);
		}
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
			"{\"a\": 1,}        => cases.json: offset 8: expected a string key",
			"[1 2]              => cases.json: offset 3: expected ']'",
			"\"abc              => cases.json: offset 4: unterminated string",
			"{\"a\": tru}       => cases.json: offset 6: invalid literal",
			"99999999999999999999 => cases.json: offset 0: invalid or out-of-range number '99999999999999999999'",
			"[1] x              => cases.json: offset 4: unexpected content after the JSON value" })
	void malformedJsonIsReportedWithItsOffset(String text, String message) {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> Json.parse(text.strip(), "cases.json"));
		assertEquals(message, e.getMessage());
	}

	@Test
	void deepNestingIsRefused() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> Json.parse("[".repeat(100_000), "deep.json"));
		assertEquals("deep.json: offset 513: nesting deeper than 512", e.getMessage());
	}

	@Test
	void writesLikePythonJsonDumps() {
		// json.dumps(v, ensure_ascii=False) / (..., indent=2) / (..., ensure_ascii=True,
		// sort_keys=True)
		Object value = Json.parse("{\"z\": [1, 2.0, null, true, \"Grüße\\t\\u0001\\u007f\"], \"a\": {}, \"e\": 1e-7}",
				"v");
		assertEquals("{\"z\": [1, 2.0, null, true, \"Grüße\\t\\u0001\u007f\"], \"a\": {}, \"e\": 1e-07}",
				new JsonWriter(null, null, false, false).write(value));
		assertEquals("{\n  \"z\": [\n    1,\n    2.0,\n    null,\n    true,\n    \"Grüße\\t\\u0001\u007f\"\n  ],\n"
				+ "  \"a\": {},\n  \"e\": 1e-07\n}", new JsonWriter("  ", null, false, false).write(value));
		assertEquals("{\"a\": {}, \"e\": 1e-07, \"z\": [1, 2.0, null, true, \"Gr\\u00fc\\u00dfe\\t\\u0001\\u007f\"]}",
				new JsonWriter(null, null, true, true).write(value));
		assertEquals("[1e+16, 123456789.0, -0.001, NaN, 2e+23, 5e-324, 0.30000000000000004, -2.3184525677263325e+17]",
				new JsonWriter(null, null, false, false).write(Arrays.asList(1e16, 123456789.0, -0.001, Double.NaN,
						2e23, 5e-324, 0.1 + 0.2, -2.31845256772633248E17)));
	}

}
