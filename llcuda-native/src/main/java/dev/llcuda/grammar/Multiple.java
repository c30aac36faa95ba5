package dev.llcuda.grammar;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * A JSON Schema {@code multipleOf} in the form the grammar spells exactly: the values
 * {@code N × 10^exponent} with {@code N} a multiple of {@code factor}, written as N's
 * digits followed by {@code exponent} zeros, or with {@code -exponent} fraction digits.
 * Every multipleOf that is an integer up to {@link #MAX_FACTOR} times a power of ten (25,
 * 5000, 0.5, 0.05) has this form; the rest are refused naming the value.
 */
record Multiple(long factor, int exponent) {

	/**
	 * Largest factor: the grammar has a rule per digit position and remainder modulo it.
	 */
	static final long MAX_FACTOR = 1000;

	/** Digits of N at most, so it fits a long. */
	private static final int MAX_SCALED_DIGITS = 18;

	/** Every integer. */
	static final Multiple ONE = new Multiple(1, 0);

	/**
	 * multipleOf of an integer. The integers that are multiples of {@code k / 10^s} are
	 * exactly those of {@code k / gcd(k, 10^s)}, so a decimal multipleOf becomes an
	 * integer one (0.5: every integer; 2.5: multiples of 5).
	 */
	static Multiple ofInteger(@Nullable Object value, String path) {
		BigDecimal m = positive(value, path).stripTrailingZeros();
		BigInteger k = m.unscaledValue();
		if (m.scale() > 0) {
			// k has fewer than bitLength factors of 2 and of 5: the same gcd, cheaply
			k = k.divide(k.gcd(BigInteger.TEN.pow(Math.min(m.scale(), k.bitLength()))));
		}
		if (k.compareTo(BigInteger.valueOf(MAX_FACTOR)) > 0) {
			throw new SchemaException(path,
					"only a multipleOf whose multiples among the integers are those of k × 10^n with k up to "
							+ MAX_FACTOR + " (such as 25, 5000, 0.5 or 2.5) is supported, got "
							+ CompactJson.write(value));
		}
		return of(k.longValueExact(), Math.max(0, -m.scale()));
	}

	/**
	 * multipleOf of a number: {@code k × 10^e} with {@code k} up to {@link #MAX_FACTOR}
	 * and at most {@link RuleBuilder#MAX_DIGITS} fraction digits; the numbers are written
	 * with exactly {@code -e} fraction digits (1.50 for 1.5 under 0.05).
	 */
	static Multiple ofNumber(@Nullable Object value, String path) {
		BigDecimal m = positive(value, path).stripTrailingZeros();
		if (m.unscaledValue().compareTo(BigInteger.valueOf(MAX_FACTOR)) > 0 || m.scale() > RuleBuilder.MAX_DIGITS) {
			throw new SchemaException(path, "only an integer up to " + MAX_FACTOR
					+ " times a power of ten with at most " + RuleBuilder.MAX_DIGITS
					+ " fraction digits (such as 25, 5000, 0.5 or 0.05) is supported, got " + CompactJson.write(value));
		}
		return of(m.unscaledValue().longValueExact(), -m.scale());
	}

	/**
	 * Beyond {@link #MAX_SCALED_DIGITS} trailing zeros only 0 has that many digits: kept
	 * as one past them, so exponents stay small.
	 */
	private static Multiple of(long factor, int exponent) {
		return exponent > MAX_SCALED_DIGITS ? new Multiple(1, MAX_SCALED_DIGITS + 1) : new Multiple(factor, exponent);
	}

	private static BigDecimal positive(@Nullable Object value, String path) {
		BigDecimal m = value instanceof Long n ? BigDecimal.valueOf(n) : value instanceof BigDecimal d ? d
				: value instanceof Double d && Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
		if (m == null || m.signum() <= 0) {
			throw new SchemaException(path, "must be a positive number, got " + CompactJson.write(value));
		}
		return m;
	}

	/**
	 * The largest N whose value has at most {@code integerDigits} integer digits (and N
	 * at most 18 digits, so with many fraction digits fewer integer digits).
	 */
	long largest(int integerDigits) {
		int digits = Math.min(integerDigits - exponent, MAX_SCALED_DIGITS);
		return digits <= 0 ? 0 : BigInteger.TEN.pow(digits).longValueExact() - 1;
	}

	/**
	 * The N of the closest value inside a bound: {@code lower} bounds round up, exclusive
	 * ones step past the value; absent: {@code ±largest}. A bound that no N up to
	 * {@code largest} satisfies gives one past it, so the range comes out empty.
	 */
	long bound(@Nullable BigDecimal value, boolean lower, boolean exclusive, long largest) {
		if (value == null) {
			return lower ? -largest : largest;
		}
		BigDecimal scaled = value.movePointLeft(exponent);
		BigDecimal rounded = scaled.setScale(0, lower ? RoundingMode.FLOOR : RoundingMode.CEILING);
		if (exclusive || rounded.compareTo(scaled) != 0) {
			rounded = rounded.add(lower ? BigDecimal.ONE : BigDecimal.ONE.negate());
		}
		BigDecimal outside = BigDecimal.valueOf(largest + 1);
		long n = rounded.max(outside.negate()).min(outside).longValueExact();
		return lower ? Math.max(n, -largest) : Math.min(n, largest);
	}

}
