package dev.llcuda.grammar;

import static dev.llcuda.grammar.RuleBuilder.empty;
import static dev.llcuda.grammar.RuleBuilder.seq;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A JSON Schema {@code pattern} (ECMA-262 syntax) to the rule of a JSON string whose
 * value it matches: literals, escapes, classes and ranges, {@code .}, {@code ? * + {m,n}}
 * (lazy or not), alternation and groups, {@code ^} first and {@code $} last. Without
 * {@code ^} or {@code $} the match may start or end anywhere, as JSON Schema says.
 * Classes, {@code .} and the class escapes produce ASCII characters only (a subset of
 * what they match, so every output still matches); each character is written as JSON
 * spells it ({@code \"}, {@code \\}, control escapes). Lookaround, backreferences, word
 * boundaries, Unicode property escapes and anchors elsewhere are refused naming the
 * feature.
 */
final class PatternCompiler {

	private static final ByteClass ASCII = ByteClass.range(0, 0x7F);

	private static final ByteClass DIGITS = ByteClass.range('0', '9');

	private static final ByteClass WORD = DIGITS.union(ByteClass.range('a', 'z'))
		.union(ByteClass.range('A', 'Z'))
		.union(ByteClass.of('_'));

	private static final ByteClass SPACE = ByteClass.anyOf(" \t\n\r\f\u000B");

	private static final ByteClass DOT = ASCII.minus(ByteClass.anyOf("\n\r"));

	private final RuleBuilder rules;

	private final String pattern;

	private final String path;

	private int at;

	private PatternCompiler(RuleBuilder rules, String pattern, String path) {
		this.rules = rules;
		this.pattern = pattern;
		this.path = path;
	}

	/**
	 * The rule of a JSON string (quotes included) whose value {@code pattern} matches.
	 */
	static int jsonString(RuleBuilder rules, String pattern, String path) {
		return rules.rule(seq("\"", new PatternCompiler(rules, pattern, path).whole(), "\""));
	}

	private List<Object> whole() {
		boolean anchoredStart = pattern.startsWith("^");
		if (anchoredStart) {
			at = 1;
		}
		List<List<Object>> branches = branches();
		boolean anchoredEnd = at < pattern.length() && pattern.charAt(at) == '$' && at == pattern.length() - 1;
		if (anchoredEnd) {
			at++;
		}
		if (at < pattern.length()) {
			throw refused(pattern.charAt(at) == ')' ? "unbalanced ')'" : "anchor '$' before the end of the pattern");
		}
		if (branches.size() > 1 && (anchoredStart || anchoredEnd)) { // '^a|b$' anchors
																		// only its first
																		// and last branch
			throw refused("anchors beside a top-level '|' are not supported (group the alternatives: ^(a|b)$)");
		}
		List<Object> body = either(branches);
		int anything = rules.repeat(rules.stringChar(), 0, -1);
		return seq(anchoredStart ? empty() : seq(anything), body, anchoredEnd ? empty() : seq(anything));
	}

	private List<Object> alternation() {
		return either(branches());
	}

	private List<List<Object>> branches() {
		List<List<Object>> branches = new ArrayList<>();
		branches.add(sequence());
		while (at < pattern.length() && pattern.charAt(at) == '|') {
			at++;
			branches.add(sequence());
		}
		return branches;
	}

	private List<Object> either(List<List<Object>> branches) {
		if (branches.size() == 1) {
			return branches.get(0);
		}
		int rule = rules.declare();
		for (List<Object> branch : branches) {
			rules.addAlternative(rule, branch);
		}
		return seq(rule);
	}

	private List<Object> sequence() {
		List<Object> out = new ArrayList<>();
		while (at < pattern.length()) {
			char c = pattern.charAt(at);
			if (c == '|' || c == ')' || (c == '$' && at == pattern.length() - 1)) {
				break;
			}
			out.addAll(quantified(atom()));
		}
		return out;
	}

	private List<Object> atom() {
		char c = pattern.charAt(at++);
		return switch (c) {
			case '(' -> group();
			case '[' -> characters(characterClass());
			case '.' -> characters(DOT);
			case '\\' -> escape();
			case '^' -> throw refused("anchor '^' after the start of the pattern");
			case '$' -> throw refused("anchor '$' before the end of the pattern");
			case '*', '+', '?' -> throw refused("quantifier '" + c + "' without anything to repeat");
			default -> literal(pattern.codePointAt(at - 1));
		};
	}

	private List<Object> group() {
		if (pattern.startsWith("?", at)) {
			if (pattern.startsWith("?:", at)) {
				at += 2;
			}
			else if (pattern.startsWith("?<", at) && !pattern.startsWith("?<=", at) && !pattern.startsWith("?<!", at)) {
				int close = pattern.indexOf('>', at);
				if (close < 0) {
					throw refused("unterminated group name");
				}
				at = close + 1;
			}
			else {
				throw refused("lookaround '(" + pattern.substring(at, Math.min(pattern.length(), at + 3))
						+ "' is not supported");
			}
		}
		List<Object> inner = alternation();
		if (at >= pattern.length() || pattern.charAt(at) != ')') {
			throw refused("unbalanced '('");
		}
		at++;
		return seq(rules.rule(inner));
	}

	/**
	 * {@code atom} followed by its quantifier, if any; a trailing {@code ?} (lazy)
	 * matches the same strings.
	 */
	private List<Object> quantified(List<Object> atom) {
		if (at >= pattern.length()) {
			return atom;
		}
		int min;
		int max;
		char c = pattern.charAt(at);
		if (c == '*' || c == '+' || c == '?') {
			at++;
			min = c == '+' ? 1 : 0;
			max = c == '?' ? 1 : -1;
		}
		else if (c == '{' && pattern.substring(at).matches("(?s)\\{\\d+(,\\d*)?}.*")) {
			int close = pattern.indexOf('}', at);
			String[] bounds = pattern.substring(at + 1, close).split(",", -1);
			at = close + 1;
			min = count(bounds[0]);
			max = bounds.length == 1 ? min : bounds[1].isEmpty() ? -1 : count(bounds[1]);
			if (max >= 0 && min > max) {
				throw refused("quantifier {" + min + "," + max + "} out of order");
			}
		}
		else {
			return atom;
		}
		if (at < pattern.length() && pattern.charAt(at) == '?') {
			at++;
		}
		if (max < 0 && rules.matchesEmpty(atom)) { // the grammar's matcher expands such a
													// loop forever
			throw refused("an unbounded repetition of something that can match the empty string");
		}
		return seq(rules.repeat(rules.rule(atom), min, max));
	}

	private int count(String digits) {
		if (digits.length() > 4 || Integer.parseInt(digits) > JsonSchemaCompiler.MAX_BOUND) {
			throw refused("a repetition count above " + JsonSchemaCompiler.MAX_BOUND);
		}
		return Integer.parseInt(digits);
	}

	private List<Object> escape() {
		if (at >= pattern.length()) {
			throw refused("'\\' at the end of the pattern");
		}
		char c = pattern.charAt(at);
		return switch (c) {
			case 'b', 'B' -> throw refused("word boundary '\\" + c + "' is not supported");
			case 'k' -> throw refused("backreference '\\k' is not supported");
			case 'p', 'P' -> throw refused("Unicode property escape '\\" + c + "' is not supported");
			default -> {
				if (c >= '1' && c <= '9') {
					throw refused("backreference '\\" + c + "' is not supported");
				}
				ByteClass set = classEscape(c);
				if (set != null) {
					at++;
					yield characters(set);
				}
				yield literal(characterEscape());
			}
		};
	}

	/**
	 * The set of a class escape ({@code \d \D \w \W \s \S}) at {@code c}, or null when it
	 * is none.
	 */
	private static @Nullable ByteClass classEscape(char c) {
		return switch (c) {
			case 'd' -> DIGITS;
			case 'D' -> ASCII.minus(DIGITS);
			case 'w' -> WORD;
			case 'W' -> ASCII.minus(WORD);
			case 's' -> SPACE;
			case 'S' -> ASCII.minus(SPACE);
			default -> null;
		};
	}

	/**
	 * The code point of the character escape after a backslash ({@code at} is past the
	 * backslash).
	 */
	private int characterEscape() {
		char c = pattern.charAt(at++);
		return switch (c) {
			case 't' -> '\t';
			case 'n' -> '\n';
			case 'r' -> '\r';
			case 'f' -> '\f';
			case 'v' -> 0x0B;
			case '0' -> 0;
			case 'x' -> hex(2);
			case 'u' -> hex(4);
			case 'c' -> throw refused("control escape '\\c' is not supported");
			default -> {
				if (Character.isLetterOrDigit(c)) {
					throw refused("unknown escape '\\" + c + "'");
				}
				yield c;
			}
		};
	}

	private int hex(int digits) {
		if (at + digits > pattern.length() || !pattern.substring(at, at + digits).matches("[0-9a-fA-F]+")) {
			throw refused("escape needs " + digits + " hex digits");
		}
		int value = Integer.parseInt(pattern.substring(at, at + digits), 16);
		at += digits;
		return value;
	}

	/** A {@code [...]} class ({@code at} is past the bracket): ASCII members only. */
	private ByteClass characterClass() {
		boolean negated = at < pattern.length() && pattern.charAt(at) == '^';
		if (negated) {
			at++;
		}
		ByteClass set = ByteClass.range(0, -1);
		boolean first = true;
		while (true) {
			if (at >= pattern.length()) {
				throw refused("unterminated character class");
			}
			char c = pattern.charAt(at);
			if (c == ']' && !first) {
				at++;
				break;
			}
			first = false;
			ByteClass escaped = (c == '\\' && at + 1 < pattern.length()) ? classEscape(pattern.charAt(at + 1)) : null;
			if (escaped != null) {
				set = set.union(escaped);
				at += 2;
				continue;
			}
			int from = classMember();
			int to = from;
			if (at + 1 < pattern.length() && pattern.charAt(at) == '-' && pattern.charAt(at + 1) != ']') {
				at++;
				to = classMember();
				if (to < from) {
					throw refused("class range out of order");
				}
			}
			set = set.union(ByteClass.range(from, to));
		}
		set = negated ? ASCII.minus(set) : set;
		if (set.isEmpty()) {
			throw refused("a character class that matches no ASCII character");
		}
		return set;
	}

	private int classMember() {
		char c = pattern.charAt(at++);
		int member;
		if (c != '\\') {
			member = c;
		}
		else if (at < pattern.length() && pattern.charAt(at) == 'b') {
			at++;
			member = '\b';
		}
		else if (at < pattern.length() && classEscape(pattern.charAt(at)) != null) {
			throw refused("class escape '\\" + pattern.charAt(at) + "' as a range end");
		}
		else {
			member = characterEscape();
		}
		if (member > 0x7F) {
			throw refused("non-ASCII character U+" + Integer.toHexString(member).toUpperCase() + " in a class");
		}
		return member;
	}

	/**
	 * One character as a JSON string writes it: raw, or escaped where JSON requires it.
	 */
	private List<Object> literal(int codePoint) {
		if (Character.charCount(codePoint) == 2) {
			at++;
		}
		if (codePoint >= 0xD800 && codePoint <= 0xDFFF) {
			throw refused("a lone surrogate U+" + Integer.toHexString(codePoint).toUpperCase());
		}
		if (codePoint > 0x7F) {
			return seq(new String(Character.toChars(codePoint)));
		}
		return characters(ByteClass.of(codePoint));
	}

	/** Any one character of {@code set} (ASCII) as JSON writes it. */
	private List<Object> characters(ByteClass set) {
		int rule = rules.declare();
		ByteClass raw = set.intersect(ByteClass.range(0x20, 0x7F).minus(ByteClass.anyOf("\"\\")));
		if (!raw.isEmpty()) {
			rules.addAlternative(rule, seq(raw));
		}
		for (int b = 0; b < 0x20; b++) {
			if (set.contains(b)) {
				String shortEscape = shortEscape(b);
				if (shortEscape != null) {
					rules.addAlternative(rule, seq(shortEscape));
				}
				rules.addAlternative(rule, seq("\\u00", hexDigit(b >> 4), hexDigit(b & 15)));
			}
		}
		for (char c : new char[] { '"', '\\' }) {
			if (set.contains(c)) {
				rules.addAlternative(rule, seq("\\" + c));
			}
		}
		return seq(rule);
	}

	/**
	 * JSON's two-character escape of a control character, or null where it has only
	 * {@code \\u00XX}.
	 */
	private static @Nullable String shortEscape(int b) {
		return switch (b) {
			case '\b' -> "\\b";
			case '\t' -> "\\t";
			case '\n' -> "\\n";
			case '\f' -> "\\f";
			case '\r' -> "\\r";
			default -> null;
		};
	}

	/** A hex digit of {@code value} (0..15), a letter in either case. */
	private static ByteClass hexDigit(int value) {
		String digit = Integer.toHexString(value);
		return ByteClass.anyOf(digit + digit.toUpperCase());
	}

	private SchemaException refused(String what) {
		return new SchemaException(path, "pattern " + CompactJson.write(pattern) + " at offset " + at + ": " + what);
	}

}
