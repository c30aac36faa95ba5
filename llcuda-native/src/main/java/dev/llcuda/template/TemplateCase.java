package dev.llcuda.template;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rendering case in the format of {@code testdata/templates/cases.json}: a template
 * file name, a context, and either the exact expected output or the expected error,
 * written as {@code "TemplateError: <message of raise_exception>"}. The reference
 * renderer's {@code strftime_now} returned a fixed date, the case's {@code date_string}.
 */
public record TemplateCase(String template, String conversation, Map<String, Object> context, String expected,
		String expectedError) {

	private static final String ERROR_PREFIX = "TemplateError: ";

	private static final int DIFF_CONTEXT = 24;

	/**
	 * Reads every case of a cases file; throws IllegalArgumentException naming a
	 * malformed one.
	 */
	@SuppressWarnings("unchecked")
	public static List<TemplateCase> readAll(Path file) throws IOException {
		Object root = Json.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
		if (!(root instanceof Map<?, ?> top) || !(top.get("cases") instanceof List<?> list)) {
			throw new IllegalArgumentException(file + ": expected an object with a \"cases\" array");
		}
		List<TemplateCase> cases = new ArrayList<>();
		for (int i = 0; i < list.size(); i++) {
			if (!(list.get(i) instanceof Map<?, ?> c) || !(c.get("template") instanceof String template)
					|| !(c.get("context") instanceof Map<?, ?> context)
					|| !(c.get("expected") instanceof String || c.get("expected_error") instanceof String)) {
				throw new IllegalArgumentException(file + ": case " + i
						+ " needs \"template\", \"context\" and \"expected\" or \"expected_error\"");
			}
			cases.add(new TemplateCase(template, String.valueOf(c.get("conversation")), (Map<String, Object>) context,
					(String) c.get("expected"), (String) c.get("expected_error")));
		}
		return cases;
	}

	/**
	 * A readable unique name: template, conversation and whether a generation prompt is
	 * added.
	 */
	public String name() {
		String base = template.endsWith(".jinja") ? template.substring(0, template.length() - 6) : template;
		return base + " " + conversation + (Values.truthy(context.get("add_generation_prompt")) ? " +prompt" : "");
	}

	/** The context to render with, including the fixed {@code strftime_now}. */
	public Map<String, Object> renderContext() {
		Map<String, Object> full = new LinkedHashMap<>(context);
		if (context.get("date_string") instanceof String date) {
			full.put("strftime_now", (TemplateFunction) (a, k) -> date);
		}
		return full;
	}

	/** Renders this case; returns null when it passes, else what differs. */
	public String mismatch(ChatTemplate compiled) {
		String actual;
		try {
			actual = compiled.render(renderContext());
		}
		catch (TemplateException e) {
			if (expectedError != null && e.raisedByTemplate() && expectedError.equals(ERROR_PREFIX + e.reason())) {
				return null;
			}
			return "expected " + (expectedError != null ? "error '" + expectedError + "'" : "output")
					+ " but rendering failed: " + e.getMessage();
		}
		if (expectedError != null) {
			return "expected error '" + expectedError + "' but rendering succeeded";
		}
		return difference(expected, actual);
	}

	/**
	 * Null when equal, else the first differing offset with a little escaped context of
	 * both.
	 */
	static String difference(String expected, String actual) {
		if (expected.equals(actual)) {
			return null;
		}
		int at = 0;
		while (at < expected.length() && at < actual.length() && expected.charAt(at) == actual.charAt(at)) {
			at++;
		}
		return "differs at offset " + at + " (expected " + expected.length() + " chars, got " + actual.length()
				+ "): expected \"" + excerpt(expected, at) + "\" got \"" + excerpt(actual, at) + "\"";
	}

	private static String excerpt(String s, int at) {
		int from = Math.max(0, at - DIFF_CONTEXT);
		int to = Math.min(s.length(), at + DIFF_CONTEXT);
		String text = (from > 0 ? "..." : "") + s.substring(from, to) + (to < s.length() ? "..." : "");
		return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
	}
}
