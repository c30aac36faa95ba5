package dev.llcuda.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Builds the rules of a {@link Grammar}: sequences of literals, byte classes and rule references,
 * bounded and unbounded repetition, and the JSON building blocks every JSON grammar shares.
 */
final class RuleBuilder {

    /** Whitespace allowed between JSON tokens: at most this many bytes, so output cannot stall in it. */
    static final int MAX_WHITESPACE = 2;
    /** Digits of an integer part and of a fraction; bounded so generation always ends a number. */
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
     * A sequence of parts: {@link ByteClass}, {@link Integer} (a rule), {@link String} (a literal,
     * UTF-8) or {@link List} (a sequence, flattened).
     */
    static List<Object> seq(Object... parts) {
        List<Object> out = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof String literal) {
                for (byte b : literal.getBytes(StandardCharsets.UTF_8)) {
                    out.add(ByteClass.of(b & 0xFF));
                }
            } else if (part instanceof List<?> list) {
                out.addAll(list);
            } else if (part instanceof ByteClass || part instanceof Integer) {
                out.add(part);
            } else {
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
        } else {
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

    // ------------------------------------------------------------------ JSON building blocks

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

    /** One character of a JSON string: printable ASCII but quote and backslash, an escape, or UTF-8. */
    private int stringChar() {
        if (stringChar < 0) {
            ByteClass hex = ByteClass.range('0', '9');
            ByteClass hexLetters = ByteClass.range('a', 'f');
            ByteClass hexUpper = ByteClass.range('A', 'F');
            int hexDigit = rule(seq(hex), seq(hexLetters), seq(hexUpper));
            stringChar = rule(
                    seq(ByteClass.range(0x20, 0x7F).without("\"\\")),
                    seq("\\", ByteClass.anyOf("\"\\/bfnrt")),
                    seq("\\u", hexDigit, hexDigit, hexDigit, hexDigit),
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
     * An integer from {@code min} to {@code max} (inclusive, min <= max), written without leading
     * zeros (and never {@code -0}): the magnitudes of each sign, split by digit count, each such
     * range spelled digit by digit.
     */
    int integerRange(long min, long max) {
        int rule = declare();
        if (max >= 0) {
            addMagnitudes(rule, "", Math.max(min, 0), max);
        }
        if (min < 0) {
            addMagnitudes(rule, "-", max < 0 ? -max : 1, -min);
        }
        return rule;
    }

    /** {@code sign} followed by each magnitude in [low, high], one alternative per digit count. */
    private void addMagnitudes(int rule, String sign, long low, long high) {
        String highDigits = Long.toString(high);
        for (int digits = Long.toString(low).length(); digits <= highDigits.length(); digits++) {
            long first = digits == 1 ? 0 : pow10(digits - 1);
            long last = pow10(digits) - 1;
            String from = Long.toString(Math.max(low, first));
            String to = Long.toString(Math.min(high, last));
            addAlternative(rule, seq(sign, sameLength(from, to)));
        }
    }

    /** Every digit string from {@code low} to {@code high}, both of the same length. */
    private List<Object> sameLength(String low, String high) {
        if (low.equals(high)) {
            return seq(low);
        }
        char lowFirst = low.charAt(0);
        char highFirst = high.charAt(0);
        String lowRest = low.substring(1);
        String highRest = high.substring(1);
        if (lowFirst == highFirst) {
            return seq(String.valueOf(lowFirst), sameLength(lowRest, highRest));
        }
        int rule = declare();
        addAlternative(rule, seq(String.valueOf(lowFirst), sameLength(lowRest, "9".repeat(lowRest.length()))));
        if (highFirst - lowFirst > 1) {
            addAlternative(rule, seq(ByteClass.range(lowFirst + 1, highFirst - 1), repeat(DIGIT, lowRest.length(),
                    lowRest.length())));
        }
        addAlternative(rule, seq(String.valueOf(highFirst), sameLength("0".repeat(highRest.length()), highRest)));
        return seq(rule);
    }

    private static long pow10(int exponent) {
        long value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
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
            for (int kind : new int[] {anyObject, anyArray, string(0, -1), number(), bool(), nullValue()}) {
                addAlternative(anyValue, seq(kind));
            }
        }
        return anyValue;
    }
}
