package dev.llcuda.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * Numbers as C's {@code printf("%g")} writes them (6 significant digits, trailing zeros
 * dropped, exponent form below 1e-4 or from 1e6 with at least two exponent digits), the
 * format of the reference logits files, so that ours can be compared with them line by
 * line.
 */
final class CFloatFormat {

	private static final int SIGNIFICANT_DIGITS = 6;

	private static final MathContext ROUNDING = new MathContext(SIGNIFICANT_DIGITS, RoundingMode.HALF_EVEN);

	/**
	 * The double-precision rounding is exact unless the value lies this close (in units
	 * of the last kept digit) to a rounding tie; then the exact decimal value decides, as
	 * in glibc.
	 */
	private static final double TIE_MARGIN = 1e-6;

	private CFloatFormat() {
	}

	static String g(double value) {
		if (Double.isNaN(value)) {
			return "nan";
		}
		if (Double.isInfinite(value)) {
			return value > 0 ? "inf" : "-inf";
		}
		if (value == 0) {
			return 1 / value < 0 ? "-0" : "0";
		}
		Rounded rounded = roundFast(Math.abs(value));
		if (rounded == null) {
			rounded = roundExact(Math.abs(value));
		}
		return (value < 0 ? "-" : "") + rounded.render();
	}

	/** Six digits and decimal exponent of the value: digits × 10^(exponent − 5). */
	private record Rounded(long digits, int exponent) {

		String render() {
			String text = Long.toString(digits);
			if (exponent < -4 || exponent >= SIGNIFICANT_DIGITS) {
				int magnitude = Math.abs(exponent);
				return withPoint(text, 1) + (exponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + magnitude;
			}
			if (exponent >= 0) {
				return withPoint(text, exponent + 1);
			}
			return withPoint("0".repeat(-exponent) + text, 1);
		}

		/**
		 * {@code digits} with a decimal point after {@code integerDigits}, trailing
		 * fraction zeros dropped.
		 */
		private static String withPoint(String digits, int integerDigits) {
			int end = digits.length();
			while (end > integerDigits && digits.charAt(end - 1) == '0') {
				end--;
			}
			return end == integerDigits ? digits.substring(0, end)
					: digits.substring(0, integerDigits) + "." + digits.substring(integerDigits, end);
		}
	}

	/**
	 * Rounds in double precision; null when the value is too close to a tie to trust it.
	 */
	private static @Nullable Rounded roundFast(double magnitude) {
		int exponent = (int) Math.floor(Math.log10(magnitude));
		if (Math.pow(10, exponent) > magnitude) {
			exponent--;
		}
		else if (Math.pow(10, exponent + 1) <= magnitude) {
			exponent++;
		}
		int shift = SIGNIFICANT_DIGITS - 1 - exponent;
		double scaled = shift >= 0 ? magnitude * Math.pow(10, shift) : magnitude / Math.pow(10, -shift);
		double whole = Math.floor(scaled);
		double fraction = scaled - whole;
		if (Math.abs(fraction - 0.5) < TIE_MARGIN || !Double.isFinite(scaled)) {
			return null;
		}
		long digits = (long) whole + (fraction > 0.5 ? 1 : 0);
		return digits == 1_000_000 ? new Rounded(100_000, exponent + 1) : new Rounded(digits, exponent);
	}

	/** Rounds the exact binary value half-even, as glibc does. */
	private static Rounded roundExact(double magnitude) {
		BigDecimal rounded = new BigDecimal(magnitude).round(ROUNDING);
		int exponent = rounded.precision() - rounded.scale() - 1;
		long digits = rounded.scaleByPowerOfTen(SIGNIFICANT_DIGITS - 1 - exponent).setScale(0).longValueExact();
		return new Rounded(digits, exponent);
	}

}
