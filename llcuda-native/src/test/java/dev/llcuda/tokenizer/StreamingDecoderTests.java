package dev.llcuda.tokenizer;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class StreamingDecoderTests {

	@Test
	void holdsByteFallbackTokensBackUntilTheCharacterIsComplete() {
		Tokenizer spm = Vocabularies.tokenizer("llama-spm");
		int[] llama = spm.encode("🦙", false, false);
		// "▁" then the four UTF-8 bytes of U+1F999 as byte-fallback tokens <0xF0> <0x9F>
		// <0xA6> <0x99>
		assertArrayEquals(new int[] { 29871, 243, 162, 169, 156 }, llama);

		StreamingDecoder decoder = spm.streamingDecoder();
		List<String> pieces = new ArrayList<>();
		for (int id : llama) {
			pieces.add(decoder.push(id));
		}

		assertEquals(List.of(" ", "", "", "", "🦙"), pieces);
		assertEquals("", decoder.flush());
	}

	@Test
	void splitsByteLevelTokensOnlyBetweenCharacters() {
		Tokenizer gpt2 = Vocabularies.tokenizer("gpt-2");
		StreamingDecoder decoder = gpt2.streamingDecoder();
		StringBuilder text = new StringBuilder();
		for (int id : gpt2.encode("ied 4 ½ months 🚀🦙 нещо", false, false)) {
			String piece = decoder.push(id);
			assertFalse(piece.contains("\uFFFD"), "piece '" + piece + "' splits a character");
			text.append(piece);
		}
		assertEquals("ied 4 ½ months 🚀🦙 нещо", text.toString());
	}

	@Test
	void streamedPiecesOfEveryTestStringJoinToTheDecodedText() {
		List<Executable> checks = new ArrayList<>();
		for (String name : Vocabularies.NAMES) {
			Tokenizer tokenizer = Vocabularies.tokenizer(name);
			Path inp = Path.of(Vocabularies.vocabFile(name) + ".inp");
			for (String input : VocabTestFile.parseInputs(Vocabularies.read(inp))) {
				int[] ids = tokenizer.encode(input, false, false);
				StreamingDecoder decoder = tokenizer.streamingDecoder();
				StringBuilder streamed = new StringBuilder();
				for (int id : ids) {
					streamed.append(decoder.push(id));
				}
				streamed.append(decoder.flush());
				String whole = tokenizer.decode(ids);
				// the streaming decoder keeps the leading space SentencePiece adds;
				// decode removes it
				boolean spacePrefixed = name.matches("llama-spm|phi-3") && !input.isEmpty();
				String expected = spacePrefixed ? " " + whole : whole;
				checks.add(() -> assertEquals(expected, streamed.toString(), name + ": " + input));
			}
		}
		assertAll(checks);
	}

	@Test
	void flushRendersAnUnfinishedCharacterAsReplacement() {
		Tokenizer spm = Vocabularies.tokenizer("llama-spm");
		StreamingDecoder decoder = spm.streamingDecoder();

		assertEquals("", decoder.push(243)); // <0xF0>: the first byte of a four-byte
												// character
		assertEquals("", decoder.push(162)); // <0x9F>

		assertEquals("\uFFFD", decoder.flush());
		assertEquals(" a", decoder.push(spm.encode("a", false, false)[0]));
	}

	@Test
	void releasesInvalidBytesAtOnceInsteadOfHoldingThem() {
		Tokenizer spm = Vocabularies.tokenizer("llama-spm");
		StreamingDecoder decoder = spm.streamingDecoder();

		assertEquals("\uFFFD", decoder.push(3 + 0x80)); // <0x80>: a continuation byte
														// without a lead byte
		assertEquals("\uFFFD", decoder.push(3 + 0xFF)); // <0xFF>: never valid in UTF-8
	}

}
