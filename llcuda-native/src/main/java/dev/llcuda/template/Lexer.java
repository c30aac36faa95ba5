package dev.llcuda.template;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a template into text and tag tokens the way Jinja2 does with Hugging Face's
 * settings: {@code trim_blocks} (drop the first newline after a block or comment tag),
 * {@code lstrip_blocks} (drop spaces and tabs before a block or comment tag that starts a
 * line), {@code -} on a tag side to strip all whitespace there, {@code +} to switch the
 * block rules off, one trailing newline of the source dropped, and line endings
 * normalised to {@code \n}.
 */
final class Lexer {

	private static final String[] OPERATORS = { "**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
			">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", };

	/** The rest of a {@code {% raw %}} tag; its end tag is {@link #RAW_END}. */
	private static final Pattern RAW_BEGIN = Pattern.compile("\\s*raw\\s*(-?)%}");

	private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*([-+]?)%}");

	private final String name;

	private final String src;

	private final List<Token> tokens = new ArrayList<>();

	private int pos;

	private int line = 1;

	/**
	 * True when the previous tag end swallowed a newline (or at the start): lstrip may
	 * apply.
	 */
	private boolean lineStarting = true;

	private Lexer(String name, String source) {
		this.name = name;
		String normalized = source.replace("\r\n", "\n").replace('\r', '\n');
		this.src = normalized.endsWith("\n") ? normalized.substring(0, normalized.length() - 1) : normalized;
	}

	static List<Token> tokenize(String name, String source) throws TemplateException {
		Lexer lexer = new Lexer(name, source);
		lexer.run();
		return lexer.tokens;
	}

	private void run() throws TemplateException {
		while (pos < src.length()) {
			int tag = nextTagStart(pos);
			String text = src.substring(pos, tag < 0 ? src.length() : tag);
			if (tag < 0) {
				emitText(text);
				pos = src.length();
				break;
			}
			char kind = src.charAt(tag + 1);
			char sign = tag + 2 < src.length() ? src.charAt(tag + 2) : '\0';
			if (sign == '-') {
				text = stripTrailing(text);
			}
			else if (sign != '+' && kind != '{') {
				text = lstrip(text);
			}
			emitText(text);
			line += countNewlines(src, pos, tag);
			pos = tag + 2 + (sign == '-' || sign == '+' ? 1 : 0);
			if (kind == '#') {
				comment();
			}
			else if (kind == '{') {
				tag(Token.Kind.VAR_BEGIN, Token.Kind.VAR_END, "}}");
			}
			else {
				Matcher raw = RAW_BEGIN.matcher(src).region(pos, src.length());
				if (raw.lookingAt()) {
					raw(raw);
				}
				else {
					tag(Token.Kind.BLOCK_BEGIN, Token.Kind.BLOCK_END, "%}");
				}
			}
		}
		tokens.add(new Token(Token.Kind.EOF, "", null, line));
	}

	private int nextTagStart(int from) {
		int i = src.indexOf('{', from);
		while (i >= 0 && i + 1 < src.length()) {
			char c = src.charAt(i + 1);
			if (c == '{' || c == '%' || c == '#') {
				return i;
			}
			i = src.indexOf('{', i + 1);
		}
		return -1;
	}

	private String lstrip(String text) {
		int lineStart = text.lastIndexOf('\n') + 1;
		if (lineStart == 0 && !lineStarting) {
			return text;
		}
		for (int i = lineStart; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c != ' ' && c != '\t') {
				return text;
			}
		}
		return text.substring(0, lineStart);
	}

	private void emitText(String text) {
		if (!text.isEmpty()) {
			tokens.add(new Token(Token.Kind.TEXT, text, null, line));
		}
	}

	/**
	 * {@code {% raw %}...{% endraw %}}: the body is text; only the tags' own whitespace
	 * rules apply.
	 */
	private void raw(Matcher begin) throws TemplateException {
		int startLine = line;
		pos = begin.end();
		if (begin.group(1).isEmpty()) {
			lineStarting = false;
		}
		else {
			afterTag('-', true);
		}
		Matcher end = RAW_END.matcher(src);
		if (!end.find(pos)) {
			throw error(startLine, "missing end of raw directive, '{% endraw %}'");
		}
		String text = src.substring(pos, end.start());
		String sign = end.group(1);
		text = sign.equals("-") ? stripTrailing(text) : sign.equals("+") ? text : lstrip(text);
		emitText(text);
		line += countNewlines(src, pos, end.end());
		pos = end.end();
		afterTag(end.group(2).isEmpty() ? '\0' : end.group(2).charAt(0), true);
	}

	private void comment() throws TemplateException {
		int end = src.indexOf("#}", pos);
		if (end < 0) {
			throw error(line, "unclosed comment, missing '#}'");
		}
		line += countNewlines(src, pos, end);
		char sign = end > pos ? src.charAt(end - 1) : '\0';
		pos = end + 2;
		afterTag(sign, true);
	}

	private void tag(Token.Kind begin, Token.Kind end, String close) throws TemplateException {
		int startLine = line;
		tokens.add(new Token(begin, begin == Token.Kind.VAR_BEGIN ? "{{" : "{%", null, line));
		int depth = 0;
		while (true) {
			skipSpaceInTag();
			if (pos >= src.length()) {
				throw error(startLine, "unclosed tag, missing '" + close + "'");
			}
			if (depth == 0) {
				char sign = src.charAt(pos);
				if ((sign == '-' || sign == '+') && src.startsWith(close, pos + 1)) {
					pos += 3;
					tokens.add(new Token(end, close, null, line));
					afterTag(sign, begin == Token.Kind.BLOCK_BEGIN);
					return;
				}
				if (src.startsWith(close, pos)) {
					pos += 2;
					tokens.add(new Token(end, close, null, line));
					afterTag('\0', begin == Token.Kind.BLOCK_BEGIN);
					return;
				}
			}
			Token token = exprToken();
			if (token.kind() == Token.Kind.OP) {
				switch (token.text()) {
					case "(", "[", "{" -> depth++;
					case ")", "]", "}" -> depth = Math.max(0, depth - 1);
					default -> {
					}
				}
			}
			tokens.add(token);
		}
	}

	/**
	 * Whitespace after a tag: all of it after '-', one newline after a block tag
	 * (trim_blocks).
	 */
	private void afterTag(char sign, boolean blockTag) {
		int from = pos;
		if (sign == '-') {
			while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
				pos++;
			}
		}
		else if (sign != '+' && blockTag && pos < src.length() && src.charAt(pos) == '\n') {
			pos++;
		}
		line += countNewlines(src, from, pos);
		lineStarting = pos > 0 && src.charAt(pos - 1) == '\n' && pos > from;
	}

	private void skipSpaceInTag() {
		while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
			if (src.charAt(pos) == '\n') {
				line++;
			}
			pos++;
		}
	}

	private Token exprToken() throws TemplateException {
		char c = src.charAt(pos);
		if (Character.isLetter(c) || c == '_') {
			int start = pos;
			while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
				pos++;
			}
			return new Token(Token.Kind.NAME, src.substring(start, pos), null, line);
		}
		if (c >= '0' && c <= '9') {
			return number();
		}
		if (c == '\'' || c == '"') {
			return string(c);
		}
		for (String op : OPERATORS) {
			if (src.startsWith(op, pos)) {
				pos += op.length();
				return new Token(Token.Kind.OP, op, null, line);
			}
		}
		throw error(line, "unexpected character '" + c + "' in tag");
	}

	private Token number() throws TemplateException {
		int start = pos;
		boolean isFloat = false;
		while (pos < src.length()) {
			char c = src.charAt(pos);
			if (c == '.' && !isFloat && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))) {
				isFloat = true;
			}
			else if ((c == 'e' || c == 'E') && pos + 1 < src.length() && (Character.isDigit(src.charAt(pos + 1))
					|| src.charAt(pos + 1) == '-' || src.charAt(pos + 1) == '+')) {
				isFloat = true;
				pos++;
			}
			else if (!Character.isDigit(c) && c != '_') {
				break;
			}
			pos++;
		}
		String text = src.substring(start, pos);
		String digits = text.replace("_", "");
		try {
			return isFloat ? new Token(Token.Kind.FLOAT, text, Double.parseDouble(digits), line)
					: new Token(Token.Kind.INT, text, Long.parseLong(digits), line);
		}
		catch (NumberFormatException e) {
			throw error(line, "invalid number '" + text + "'");
		}
	}

	/** A Python string literal with backslash escapes. */
	private Token string(char quote) throws TemplateException {
		int startLine = line;
		StringBuilder sb = new StringBuilder();
		pos++;
		while (true) {
			if (pos >= src.length()) {
				throw error(startLine, "unterminated string literal");
			}
			char c = src.charAt(pos++);
			if (c == quote) {
				return new Token(Token.Kind.STRING, sb.toString(), sb.toString(), startLine);
			}
			if (c == '\n') {
				line++;
			}
			if (c != '\\' || pos >= src.length()) {
				sb.append(c);
				continue;
			}
			char e = src.charAt(pos++);
			switch (e) {
				case 'n' -> sb.append('\n');
				case 't' -> sb.append('\t');
				case 'r' -> sb.append('\r');
				case '0' -> sb.append('\0');
				case 'a' -> sb.append('\u0007');
				case 'b' -> sb.append('\b');
				case 'f' -> sb.append('\f');
				case 'v' -> sb.append('\u000b');
				case '\\', '\'', '"' -> sb.append(e);
				case '\n' -> line++;
				case 'x' -> sb.appendCodePoint(hex(2));
				case 'u' -> sb.appendCodePoint(hex(4));
				case 'U' -> sb.appendCodePoint(hex(8));
				default -> sb.append('\\').append(e);
			}
		}
	}

	private int hex(int digits) throws TemplateException {
		if (pos + digits > src.length()) {
			throw error(line, "truncated escape in string literal");
		}
		try {
			int value = Integer.parseUnsignedInt(src.substring(pos, pos + digits), 16);
			if (!Character.isValidCodePoint(value)) {
				throw error(line, "invalid code point in string literal");
			}
			pos += digits;
			return value;
		}
		catch (NumberFormatException e) {
			throw error(line, "invalid escape in string literal");
		}
	}

	private static String stripTrailing(String text) {
		int end = text.length();
		while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
			end--;
		}
		return text.substring(0, end);
	}

	private static int countNewlines(String s, int from, int to) {
		int n = 0;
		for (int i = from; i < to; i++) {
			if (s.charAt(i) == '\n') {
				n++;
			}
		}
		return n;
	}

	private TemplateException error(int atLine, String what) {
		return new TemplateException(name, atLine, what, false);
	}

}
