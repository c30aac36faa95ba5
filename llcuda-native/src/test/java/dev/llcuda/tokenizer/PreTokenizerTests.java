package dev.llcuda.tokenizer;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PreTokenizerTests {

	private static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

	private static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
			+ "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

	private static final String QWEN2_REGEX = LLAMA3_REGEX.replace("\\p{N}{1,3}", "\\p{N}");

	@Test
	void handWrittenGpt2ScannerSplitsLikeTheGpt2Regex() {
		assertSameWords(Gpt2Splitter.INSTANCE, new RegexSplitter(GPT2_REGEX));
	}

	@Test
	void handWrittenLlama3ScannerSplitsLikeTheLlama3Regex() {
		assertSameWords(Llama3Splitter.LLAMA3, new RegexSplitter(LLAMA3_REGEX));
	}

	@Test
	void handWrittenQwen2ScannerSplitsLikeTheQwen2Regex() {
		assertSameWords(Llama3Splitter.QWEN2, new RegexSplitter(QWEN2_REGEX));
	}

	@Test
	void qwen2SplitsNumbersIntoSingleDigitsWhereLlama3KeepsThree() {
		assertEquals(List.of("abc", " ", "1", "2", "3", "4", "5"), words(PreTokenizer.QWEN2, "abc 12345"));
		assertEquals(List.of("abc", " ", "123", "45"), words(PreTokenizer.LLAMA3, "abc 12345"));
	}

	@Test
	void llama3KeepsContractionsOfAnyCaseAndAttachesOnePunctuationToWords() {
		assertEquals(List.of("I", "'M", " fine", ",said", " he", ".\n\n", "Ok"),
				words(PreTokenizer.LLAMA3, "I'M fine,said he.\n\nOk"));
	}

	@Test
	void falconIsolatesPunctuationRunsAndGroupsThreeDigits() {
		assertEquals(List.of("Hello", ",", " world", " ", "123", "45", "!!"),
				words(PreTokenizer.FALCON, "Hello, world 12345!!"));
	}

	@Test
	void refactAndStarcoderSplitEveryDigit() {
		assertEquals(List.of("x", "1", "2", " =", " ", "3"), words(PreTokenizer.forName("refact"), "x12 = 3"));
	}

	@Test
	void deepseekLlmSplitsLettersPunctuationCjkAndNumbers() {
		assertEquals(List.of("Hello", " world", "!", "\n", "你好", "12", " "),
				words(PreTokenizer.DEEPSEEK_LLM, "Hello world!\n你好12 "));
	}

	@Test
	void defaultPreTokenizerIsolatesPunctuationAndGroupsDigits() {
		assertEquals(List.of("a", ",", " b", "123", "4"), words(PreTokenizer.forName("default"), "a, b1234"));
	}

	@Test
	void unknownPreTokenizerIsRejectedByName() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> PreTokenizer.forName("no-such-pre"));
		assertEquals(true, e.getMessage().contains("'no-such-pre'"), e.getMessage());
	}

	static List<String> words(PreTokenizer pre, String text) {
		IntList ends = new IntList(8);
		pre.split(text, 0, text.length(), ends, new IntList(8));
		return words(text, ends);
	}

	private static List<String> words(String text, IntList ends) {
		List<String> words = new ArrayList<>();
		int start = 0;
		for (int i = 0; i < ends.size(); i++) {
			words.add(text.substring(start, ends.get(i)));
			start = ends.get(i);
		}
		return words;
	}

	private static void assertSameWords(Splitter scanner, Splitter regex) {
		List<Executable> checks = new ArrayList<>();
		for (String text : samples()) {
			IntList fromScanner = new IntList(8);
			IntList fromRegex = new IntList(8);
			scanner.split(text, 0, text.length(), fromScanner);
			regex.split(text, 0, text.length(), fromRegex);
			checks.add(() -> assertEquals(words(text, fromRegex), words(text, fromScanner),
					VocabularyVectorsTests.escape(text)));
		}
		assertAll(checks);
	}

	/**
	 * The shared test strings plus edge cases for whitespace, contractions and non-BMP
	 * characters.
	 */
	private static List<String> samples() {
		Path inp = Path.of(Vocabularies.vocabFile("gpt-2") + ".inp");
		return Stream.concat(VocabTestFile.parseInputs(Vocabularies.read(inp)).stream(),
				Stream.of("it's 'S 'LL 'Re x'", "a  \u00a0\u3000b", " \r\n \t x\n", "tab\t\t",
						"𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ٣٤٥ ²³ Ⅻ", "(( a))  ...!?\n\n\n", "x ", "  ", "'", " '", "e\u0301\u0301 ",
						"\u200d\u2028z"))
			.toList();
	}

}
