package dev.llcuda.grammar;

import java.math.BigDecimal;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * What a schema's number keywords (minimum, maximum, their exclusive forms, multipleOf)
 * admit, decided with BigDecimal: the reference the grammar's output is checked against.
 */
public final class NumberKeywords {

	private NumberKeywords() {
	}

	/**
	 * Whether {@code value} satisfies every number keyword {@code schema} (read with
	 * {@code Json.parseExact}) has.
	 */
	public static boolean admit(Map<String, Object> schema, BigDecimal value) {
		return compares(schema, "minimum", value, c -> c >= 0)
				&& compares(schema, "exclusiveMinimum", value, c -> c > 0)
				&& compares(schema, "maximum", value, c -> c <= 0)
				&& compares(schema, "exclusiveMaximum", value, c -> c < 0) && (!schema.containsKey("multipleOf")
						|| value.remainder(exact(schema.get("multipleOf"))).signum() == 0);
	}

	/** A number as {@code Json.parseExact} reads it ({@link Long} or BigDecimal). */
	public static BigDecimal exact(Object number) {
		return number instanceof Long n ? BigDecimal.valueOf(n) : (BigDecimal) number;
	}

	private static boolean compares(Map<String, Object> schema, String keyword, BigDecimal value, IntPredicate test) {
		return !schema.containsKey(keyword) || test.test(value.compareTo(exact(schema.get(keyword))));
	}

}
