package dev.llcuda.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Numbers as C's {@code printf("%g")} writes them (6 significant digits, trailing zeros dropped,
 * exponent form below 1e-4 or from 1e6 with at least two exponent digits), the format of the
 * reference logits files, so that ours can be compared with them line by line.
 */
final class CFloatFormat {

    private static final int SIGNIFICANT_DIGITS = 6;
    private static final MathContext ROUNDING = new MathContext(SIGNIFICANT_DIGITS, RoundingMode.HALF_EVEN);

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
        // The exact binary value rounded half-even, as glibc rounds.
        BigDecimal rounded = new BigDecimal(value).round(ROUNDING);
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= SIGNIFICANT_DIGITS) {
            String mantissa = rounded.movePointLeft(exponent).stripTrailingZeros().toPlainString();
            int magnitude = Math.abs(exponent);
            return mantissa + (exponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + magnitude;
        }
        return rounded.stripTrailingZeros().toPlainString();
    }
}
