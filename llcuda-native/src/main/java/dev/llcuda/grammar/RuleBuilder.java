package dev.llcuda.grammar;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Builds the rules of a {@link Grammar}: sequences of literals, byte classes and rule
 * references, bounded and unbounded repetition, and the JSON building blocks every JSON
 * grammar shares.
 */
final class RuleBuilder {

	/**
	 * Whitespace allowed between JSON tokens: at most this many bytes, so output cannot
	 * stall in it.
	 */
	static final int MAX_WHITESPACE = 2;

	/**
	 * Digits of an integer part and of a fraction; bounded so generation always ends a
	 * number.
	 */
	static final int MAX_DIGITS = 16;

	/** Digits of an exponent. */
	static final int MAX_EXPONENT_DIGITS = 3;

	private static final ByteClass DIGIT = ByteClass.range('0', '9');

	private static final ByteClass CONTINUATION = ByteClass.range(0x80, 0xBF);

	private final List<List<List<Object>>> rules = new ArrayList<>();

	private int whitespace = -1;

	private int stringChar = -1;

	private int anyValue = -1;

	private int anyObject = -1;

	/** A new rule with the given alternatives (each a sequence built by {@link #seq}). */
	@SafeVarargs
	final int rule(List<Object>... alternatives) {
		return ruleOf(List.of(alternatives));
	}

	/** A new rule of these alternatives. */
	int ruleOf(List<List<Object>> alternatives) {
		int id = declare();
		for (List<Object> alternative : alternatives) {
			addAlternative(id, alternative);
		}
		return id;
	}

	/** A rule whose alternatives are added later (for forward references). */
	int declare() {
		rules.add(new ArrayList<>());
		return rules.size() - 1;
	}

	void addAlternative(int rule, List<Object> sequence) {
		rules.get(rule).add(List.copyOf(sequence));
	}

	/**
	 * Whether {@code part} (a {@link ByteClass}, a rule or a sequence of them) matches
	 * the empty output.
	 */
	boolean matchesEmpty(Object part) {
		return matchesEmpty(part, new java.util.HashSet<>());
	}

	private boolean matchesEmpty(Object part, java.util.Set<Integer> entered) {
		if (part instanceof ByteClass) {
			return false;
		}
		if (part instanceof List<?> sequence) {
			return sequence.stream().allMatch(element -> matchesEmpty(element, entered));
		}
		int rule = (Integer) part;
		if (!entered.add(rule)) {
			return false; // a path back into the rule: no shorter way to empty through it
		}
		boolean empty = rules.get(rule).stream().anyMatch(alternative -> matchesEmpty(alternative, entered));
		entered.remove(rule);
		return empty;
	}

	/** Whether {@code rule} has no alternative, so nothing matches it. */
	boolean matchesNothing(int rule) {
		return rules.get(rule).isEmpty();
	}

	/**
	 * A sequence of parts: {@link ByteClass}, {@link Integer} (a rule), {@link String} (a
	 * literal, UTF-8) or {@link List} (a sequence, flattened).
	 */
	static List<Object> seq(Object... parts) {
		List<Object> out = new ArrayList<>();
		for (Object part : parts) {
			if (part instanceof String literal) {
				for (byte b : literal.getBytes(StandardCharsets.UTF_8)) {
					out.add(ByteClass.of(b & 0xFF));
				}
			}
			else if (part instanceof List<?> list) {
				out.addAll(list);
			}
			else if (part instanceof ByteClass || part instanceof Integer) {
				out.add(part);
			}
			else {
				throw new IllegalArgumentException("not a grammar part: " + part);
			}
		}
		return out;
	}

	static List<Object> empty() {
		return Collections.emptyList();
	}

	/** {@code part} repeated min..max times; max < 0: unbounded. */
	int repeat(Object part, int min, int max) {
		List<Object> head = new ArrayList<>();
		for (int i = 0; i < min; i++) {
			head.addAll(seq(part));
		}
		int tail;
		if (max < 0) {
			tail = declare();
			addAlternative(tail, seq(part, tail));
			addAlternative(tail, empty());
		}
		else {
			tail = rule(empty());
			for (int i = min; i < max; i++) {
				tail = rule(seq(part, tail), empty());
			}
		}
		return rule(seq(head, tail));
	}

	Grammar build(int root) {
		List<List<List<Object>>> frozen = new ArrayList<>();
		for (List<List<Object>> alternatives : rules) {
			frozen.add(List.copyOf(alternatives));
		}
		return new Grammar(frozen, root);
	}

	// ------------------------------------------------------------------ JSON building
	// blocks

	int whitespace() {
		if (whitespace < 0) {
			whitespace = repeat(ByteClass.anyOf(" \t\n\r"), 0, MAX_WHITESPACE);
		}
		return whitespace;
	}

	/** A literal JSON value written compactly (enum and const). */
	int literal(String text) {
		return rule(seq(text));
	}

	int string(int minLength, int maxLength) {
		return rule(seq("\"", repeat(stringChar(), minLength, maxLength), "\""));
	}

	/**
	 * One character of a JSON string: printable ASCII but quote and backslash, an escape,
	 * or UTF-8.
	 */
	int stringChar() {
		if (stringChar < 0) {
			ByteClass hex = ByteClass.range('0', '9');
			ByteClass hexLetters = ByteClass.range('a', 'f');
			ByteClass hexUpper = ByteClass.range('A', 'F');
			int hexDigit = rule(seq(hex), seq(hexLetters), seq(hexUpper));
			stringChar = rule(seq(ByteClass.range(0x20, 0x7F).without("\"\\")),
					seq("\\", ByteClass.anyOf("\"\\/bfnrt")), seq("\\u", hexDigit, hexDigit, hexDigit, hexDigit),
					seq(ByteClass.range(0xC2, 0xDF), CONTINUATION),
					seq(ByteClass.of(0xE0), ByteClass.range(0xA0, 0xBF), CONTINUATION),
					seq(ByteClass.range(0xE1, 0xEC), CONTINUATION, CONTINUATION),
					seq(ByteClass.of(0xED), ByteClass.range(0x80, 0x9F), CONTINUATION),
					seq(ByteClass.range(0xEE, 0xEF), CONTINUATION, CONTINUATION),
					seq(ByteClass.of(0xF0), ByteClass.range(0x90, 0xBF), CONTINUATION, CONTINUATION),
					seq(ByteClass.range(0xF1, 0xF3), CONTINUATION, CONTINUATION, CONTINUATION),
					seq(ByteClass.of(0xF4), ByteClass.range(0x80, 0x8F), CONTINUATION, CONTINUATION));
		}
		return stringChar;
	}

	int integer() {
		return integer(MAX_DIGITS);
	}

	/** An integer of at most {@code maxDigits} digits, no leading zeros. */
	int integer(int maxDigits) {
		int magnitude = rule(seq("0"), seq(ByteClass.range('1', '9'), repeat(DIGIT, 0, maxDigits - 1)));
		return rule(seq(magnitude), seq("-", magnitude));
	}

	/**
	 * The values {@code N × 10^exponent} of {@code multiple} (see {@link Multiple}) with
	 * N from {@code min} to {@code max} (inclusive, min <= max) a multiple of its factor,
	 * written without leading zeros (and never {@code -0}): the magnitudes of N for each
	 * sign, split by digit count, each such range spelled digit by digit. Where no such N
	 * exists the rule has no alternative.
	 */
	int multiples(long min, long max, Multiple multiple) {
		int rule = declare();
		if (max >= 0) {
			addMagnitudes(rule, "", Math.max(min, 0), max, multiple);
		}
		if (min < 0) {
			addMagnitudes(rule, "-", max < 0 ? -max : 1, -min, multiple);
		}
		return rule;
	}

	/**
	 * {@code sign} followed by each magnitude N in [low, high], one alternative per digit
	 * count; with fraction digits N has at least one digit before the point (0.05), with
	 * trailing zeros N = 0 is written alone.
	 */
	private void addMagnitudes(int rule, String sign, long low, long high, Multiple multiple) {
		int fraction = Math.max(0, -multiple.exponent());
		String zeros = "0".repeat(Math.max(0, multiple.exponent()));
		if (low == 0 && !zeros.isEmpty()) {
			addAlternative(rule, seq(sign, "0"));
			low = 1;
		}
		int shortest = fraction + 1;
		int longest = Math.max(Long.toString(high).length(), shortest);
		for (int digits = Math.max(Long.toString(low).length(), shortest); digits <= longest; digits++) {
			long from = Math.max(low, digits == shortest ? 0 : pow10(digits - 1));
			long to = Math.min(high, pow10(digits) - 1);
			if (from > to) {
				continue;
			}
			Integer spelled = new DigitSpelling(padded(from, digits), padded(to, digits), multiple.factor(),
					digits - fraction)
				.spell(0, true, true, 0);
			if (spelled != null) {
				addAlternative(rule, seq(sign, spelled, zeros));
			}
		}
	}

	private static String padded(long value, int digits) {
		String text = Long.toString(value);
		return "0".repeat(digits - text.length()) + text;
	}

	/**
	 * The digit strings from {@code low} to {@code high} (same length) whose value is a
	 * multiple of {@code multipleOf}, with a point before the digit at {@code point}
	 * (none when it is the length): a rule per (position, still equal to low's digits,
	 * still equal to high's digits, remainder so far), made only where some completion
	 * exists, so output never stalls.
	 */
	private final class DigitSpelling {

		private final String low;

		private final String high;

		private final long multipleOf;

		private final int point;

		private final Map<String, Optional<Integer>> made = new HashMap<>();

		DigitSpelling(String low, String high, long multipleOf, int point) {
			this.low = low;
			this.high = high;
			this.multipleOf = multipleOf;
			this.point = point;
		}

		/**
		 * The rule of the rest from {@code position}, or null when no digits complete it.
		 */
		@Nullable Integer spell(int position, boolean atLow, boolean atHigh, long remainder) {
			if (position == low.length()) {
				return remainder == 0 ? RuleBuilder.this.rule(empty()) : null;
			}
			String key = position + ":" + atLow + ":" + atHigh + ":" + remainder;
			Optional<Integer> known = made.get(key);
			if (known != null) {
				return known.orElse(null);
			}
			int from = atLow ? low.charAt(position) - '0' : 0;
			int to = atHigh ? high.charAt(position) - '0' : 9;
			List<List<Object>> alternatives = new ArrayList<>();
			for (int d = from; d <= to; d++) {
				Integer rest = spell(position + 1, atLow && d == from, atHigh && d == to,
						(remainder * 10 + d) % multipleOf);
				if (rest != null) {
					alternatives.add(seq(position == point ? "." : "", ByteClass.of('0' + d), rest));
				}
			}
			Integer id = alternatives.isEmpty() ? null : ruleOf(alternatives);
			made.put(key, Optional.ofNullable(id));
			return id;
		}

	}

	private static long pow10(int exponent) {
		long value = 1;
		for (int i = 0; i < exponent; i++) {
			value *= 10;
		}
		return value;
	}

	/** A bound of a decimal range: its value, and whether the value itself is inside. */
	record Bound(BigDecimal value, boolean inclusive) {

		Bound negate() {
			return new Bound(value.negate(), inclusive);
		}

	}

	/**
	 * A number without exponent, of at most {@link #MAX_DIGITS} integer and fraction
	 * digits, within {@code min} and {@code max} (null: unbounded), compared exactly;
	 * never {@code -0}. A bound with more fraction digits than generated is rounded
	 * inwards. Where no such number exists the rule has no alternative.
	 */
	int numberRange(@Nullable Bound min, @Nullable Bound max) {
		Bound low = min == null ? null : inwards(min, true);
		Bound high = max == null ? null : inwards(max, false);
		int rule = declare();
		if (high == null || high.value().signum() >= 0) {
			Bound from = low == null || low.value().signum() < 0 ? new Bound(BigDecimal.ZERO, true) : low;
			addDecimalMagnitudes(rule, "", from, high);
		}
		if (low == null || low.value().signum() < 0) {
			Bound from = high == null || high.value().signum() >= 0 ? new Bound(BigDecimal.ZERO, false) : high.negate();
			addDecimalMagnitudes(rule, "-", from, low == null ? null : low.negate());
		}
		return rule;
	}

	/**
	 * The bound at most {@link #MAX_DIGITS} fraction digits and 17 integer digits long
	 * that admits the same generated numbers.
	 */
	private static Bound inwards(Bound bound, boolean lower) {
		BigDecimal value = bound.value();
		BigDecimal far = BigDecimal.TEN.pow(MAX_DIGITS + 1);
		BigDecimal near = BigDecimal.ONE.movePointLeft(MAX_DIGITS + 1);
		if (value.abs().compareTo(far) > 0) {
			return new Bound(far.multiply(BigDecimal.valueOf(value.signum())), bound.inclusive());
		}
		if (value.signum() != 0 && value.abs().compareTo(near) < 0) {
			value = near.multiply(BigDecimal.valueOf(value.signum()));
		}
		BigDecimal rounded = value.setScale(Math.max(0, Math.min(value.scale(), MAX_DIGITS)),
				lower ? RoundingMode.CEILING : RoundingMode.FLOOR);
		return rounded.compareTo(value) == 0 ? new Bound(value.stripTrailingZeros(), bound.inclusive())
				: new Bound(rounded, true);
	}

	/** {@code sign} then each magnitude from {@code low} to {@code high} (null: any). */
	private void addDecimalMagnitudes(int rule, String sign, Bound low, @Nullable Bound high) {
		String lowText = low.value().toPlainString();
		int lowDigits = integerDigits(lowText);
		String highText = high == null ? "" : high.value().toPlainString();
		int highDigits = high == null ? MAX_DIGITS : integerDigits(highText);
		for (int digits = lowDigits; digits <= Math.min(highDigits, MAX_DIGITS); digits++) {
			Integer spelled = new DecimalSpelling(digits, lowText.replace(".", ""), low.inclusive(),
					highText.replace(".", ""), high == null || high.inclusive())
				.spell(0, digits == lowDigits, high != null && digits == highDigits);
			if (spelled != null) {
				addAlternative(rule, seq(sign, spelled));
			}
		}
	}

	/** Digits before the point of a plain decimal string. */
	private static int integerDigits(String plain) {
		int point = plain.indexOf('.');
		return point < 0 ? plain.length() : point;
	}

	/**
	 * The magnitudes of {@code integerDigits} integer digits (no leading zero) and up to
	 * {@link #MAX_DIGITS} fraction digits between two bounds given as digit strings
	 * aligned to them: a rule per (position, still equal to low's digits, still equal to
	 * high's), made only where some completion exists.
	 */
	private final class DecimalSpelling {

		private final int integerDigits;

		private final String low;

		private final boolean lowInclusive;

		private final String high;

		private final boolean highInclusive;

		private final Map<String, Optional<Integer>> made = new HashMap<>();

		DecimalSpelling(int integerDigits, String low, boolean lowInclusive, String high, boolean highInclusive) {
			this.integerDigits = integerDigits;
			this.low = low;
			this.lowInclusive = lowInclusive;
			this.high = high;
			this.highInclusive = highInclusive;
		}

		@Nullable Integer spell(int position, boolean atLow, boolean atHigh) {
			String key = position + ":" + atLow + ":" + atHigh;
			Optional<Integer> known = made.get(key);
			if (known != null) {
				return known.orElse(null);
			}
			List<List<Object>> alternatives = new ArrayList<>();
			if (position >= integerDigits && (!atLow || (restZero(low, position) && lowInclusive))
					&& (!atHigh || !restZero(high, position) || highInclusive)) {
				alternatives.add(empty());
			}
			if (position < integerDigits + MAX_DIGITS) {
				int from = atLow ? digit(low, position) : position == 0 && integerDigits > 1 ? 1 : 0;
				int to = atHigh ? digit(high, position) : 9;
				for (int d = from; d <= to; d++) {
					Integer rest = spell(position + 1, atLow && d == from, atHigh && d == to);
					if (rest != null) {
						alternatives.add(seq(position == integerDigits ? "." : "", ByteClass.of('0' + d), rest));
					}
				}
			}
			Integer id = alternatives.isEmpty() ? null : ruleOf(alternatives);
			made.put(key, Optional.ofNullable(id));
			return id;
		}

		private static int digit(String digits, int position) {
			return position < digits.length() ? digits.charAt(position) - '0' : 0;
		}

		private static boolean restZero(String digits, int position) {
			for (int i = position; i < digits.length(); i++) {
				if (digits.charAt(i) != '0') {
					return false;
				}
			}
			return true;
		}

	}

	int number() {
		int fraction = rule(empty(), seq(".", repeat(DIGIT, 1, MAX_DIGITS)));
		int sign = rule(empty(), seq(ByteClass.anyOf("+-")));
		int exponent = rule(empty(), seq(ByteClass.anyOf("eE"), sign, repeat(DIGIT, 1, MAX_EXPONENT_DIGITS)));
		return rule(seq(integer(), fraction, exponent));
	}

	int bool() {
		return rule(seq("true"), seq("false"));
	}

	int nullValue() {
		return literal("null");
	}

	/** {@code [items]} with min..max items (max < 0: unbounded). */
	int array(int item, int minItems, int maxItems) {
		int ws = whitespace();
		int more = repeat(rule(seq(ws, ",", ws, item)), Math.max(0, minItems - 1), maxItems < 0 ? -1 : maxItems - 1);
		List<Object> items = seq(ws, item, more);
		if (maxItems == 0) {
			return rule(seq("[", ws, "]"));
		}
		return minItems > 0 ? rule(seq("[", items, ws, "]")) : rule(seq("[", items, ws, "]"), seq("[", ws, "]"));
	}

	/** Any JSON object (plain JSON mode). */
	int anyObject() {
		anyValue();
		return anyObject;
	}

	/** Any JSON value (plain JSON mode); objects and arrays nest. */
	int anyValue() {
		if (anyValue < 0) {
			anyValue = declare();
			int ws = whitespace();
			int key = string(0, -1);
			int member = rule(seq(key, ws, ":", ws, anyValue));
			int members = repeat(rule(seq(ws, ",", ws, member)), 0, -1);
			anyObject = rule(seq("{", ws, member, members, ws, "}"), seq("{", ws, "}"));
			int anyArray = array(anyValue, 0, -1);
			for (int kind : new int[] { anyObject, anyArray, string(0, -1), number(), bool(), nullValue() }) {
				addAlternative(anyValue, seq(kind));
			}
		}
		return anyValue;
	}

}
