package dev.llcuda.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer regex: every match is a word, and so is every stretch between matches.
 * Each fragment is matched on its own (look-arounds do not see past it), like llama.cpp's
 * std::regex path. {@code \s} means Unicode White_Space, as llama.cpp maps every
 * non-ASCII space to one it matches.
 */
final class RegexSplitter implements Splitter {

	private final Pattern pattern;

	RegexSplitter(String regex) {
		this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
	}

	@Override
	public void split(String text, int start, int end, IntList wordEnds) {
		Matcher matcher = pattern.matcher(text).region(start, end);
		int previous = start;
		while (matcher.find()) {
			if (matcher.start() > previous) {
				wordEnds.add(matcher.start());
			}
			if (matcher.end() > matcher.start()) {
				wordEnds.add(matcher.end());
			}
			previous = matcher.end();
		}
		if (previous < end) {
			wordEnds.add(end);
		}
	}

	@Override
	public String toString() {
		return pattern.pattern();
	}

}
