package dev.llcuda.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's tokenizer test vector format: {@code .inp} files hold strings, each
 * followed by the line {@code __ggml_vocab_test__}; {@code .out} files hold one line per
 * string with each token id preceded by a space.
 */
public final class VocabTestFile {

	private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

	private VocabTestFile() {
	}

	/**
	 * The strings of an {@code .inp} file's content. Every string ends at a separator
	 * (strings may be empty or consist of newlines); text after the last separator is a
	 * string too when not empty.
	 */
	public static List<String> parseInputs(String content) {
		List<String> strings = new ArrayList<>();
		int start = 0;
		int separator;
		while ((separator = content.indexOf(SEPARATOR, start)) >= 0) {
			strings.add(content.substring(start, separator));
			start = separator + SEPARATOR.length();
		}
		if (start < content.length()) {
			strings.add(content.substring(start));
		}
		return strings;
	}

	/**
	 * One {@code .out} line (without the line break): {@code " 15496 995"} for ids 15496
	 * and 995.
	 */
	public static String formatIds(int[] ids) {
		StringBuilder line = new StringBuilder(ids.length * 6);
		for (int id : ids) {
			line.append(' ').append(id);
		}
		return line.toString();
	}

}
