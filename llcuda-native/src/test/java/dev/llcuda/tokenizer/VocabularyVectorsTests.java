package dev.llcuda.tokenizer;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every string of the shared llama.cpp tokenizer vectors encodes to exactly the recorded
 * ids.
 */
class VocabularyVectorsTests {

	static String[] vocabularies() {
		return Vocabularies.NAMES;
	}

	@ParameterizedTest
	@MethodSource("vocabularies")
	void encodesEveryTestStringToTheRecordedIds(String name) {
		Path vocab = Vocabularies.vocabFile(name);
		List<String> inputs = VocabTestFile.parseInputs(Vocabularies.read(Path.of(vocab + ".inp")));
		List<String> expected = Vocabularies.read(Path.of(vocab + ".out")).lines().toList();
		assertEquals(46, inputs.size(), "test strings in " + vocab + ".inp");
		assertEquals(inputs.size(), expected.size(), "lines in " + vocab + ".out");
		Tokenizer tokenizer = Vocabularies.tokenizer(name);
		List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
		for (int i = 0; i < inputs.size(); i++) {
			String input = inputs.get(i);
			String want = expected.get(i);
			int line = i + 1;
			checks.add(() -> assertEquals(want, VocabTestFile.formatIds(tokenizer.encode(input, false, false)),
					name + " string " + line + ": " + escape(input)));
		}
		assertAll(checks);
	}

	@ParameterizedTest
	@MethodSource("vocabularies")
	void decodingGivesBackEveryTestString(String name) {
		if (name.equals("bert-bge")) {
			return; // WordPiece lower-cases, strips accents and drops spaces: it cannot
					// round-trip
		}
		Path vocab = Vocabularies.vocabFile(name);
		Tokenizer tokenizer = Vocabularies.tokenizer(name);
		List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
		for (String input : VocabTestFile.parseInputs(Vocabularies.read(Path.of(vocab + ".inp")))) {
			checks.add(() -> assertEquals(input, tokenizer.decode(tokenizer.encode(input, false, false)),
					name + ": " + escape(input)));
		}
		assertAll(checks);
	}

	/**
	 * Both word caches (SentencePiece, byte-level BPE) filled by many threads at once.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "llama-spm", "gpt-2" })
	void givesTheSameIdsWhenSharedBetweenThreads(String name) {
		Path vocab = Vocabularies.vocabFile(name);
		List<String> inputs = VocabTestFile.parseInputs(Vocabularies.read(Path.of(vocab + ".inp")));
		List<String> sequential = Vocabularies.read(Path.of(vocab + ".out")).lines().toList();
		Tokenizer fresh = Vocabularies.readTokenizer(vocab);

		List<String> parallel = IntStream.range(0, inputs.size() * 8)
			.parallel()
			.mapToObj(i -> VocabTestFile.formatIds(fresh.encode(inputs.get(i % inputs.size()), false, false)))
			.toList();

		for (int i = 0; i < parallel.size(); i++) {
			assertEquals(sequential.get(i % inputs.size()), parallel.get(i),
					name + ": " + escape(inputs.get(i % inputs.size())));
		}
	}

	static String escape(String s) {
		return s.replace("\n", "\\n").replace("\t", "\\t");
	}

}
