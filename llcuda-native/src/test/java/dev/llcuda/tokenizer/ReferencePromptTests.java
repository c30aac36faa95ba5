package dev.llcuda.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The prompts of the reference logits were tokenized by llama.cpp with BOS (the full
 * Llama 2 vocabulary for llama-2-tiny-random, the first 512 of its tokens for the micro
 * models, which makes most words fall back to bytes); the first line of each reference
 * file holds those ids.
 */
class ReferencePromptTests {

	@ParameterizedTest
	@CsvSource({ "llama-2-tiny-random, 1", "llama-2-tiny-random, 2", "micro-llama-f32, 1", "micro-llama-f32, 2",
			"micro-llama-f32, 3", "micro-qwen2-f32, 3" })
	void encodesReferencePromptsLikeLlamaCppWithBos(String model, int prompt) throws IOException {
		Path models = Vocabularies.testData().resolve("models");
		Tokenizer tokenizer = Vocabularies.load(models.resolve(model + ".gguf"));
		String text = Files.readAllLines(models.resolve("prompts.txt"), StandardCharsets.UTF_8).get(prompt - 1);
		int[] expected = firstLineIds(models.resolve("reference/" + model + ".p" + prompt + ".llamacpp.txt.gz"));

		int[] ids = tokenizer.encode(text, true, false);

		assertEquals(Arrays.toString(expected), Arrays.toString(ids));
		assertEquals(text, tokenizer.decode(ids));
	}

	private static int[] firstLineIds(Path gzip) throws IOException {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(new GZIPInputStream(Files.newInputStream(gzip)), StandardCharsets.US_ASCII))) {
			return Arrays.stream(reader.readLine().trim().split(" ")).mapToInt(Integer::parseInt).toArray();
		}
	}

}
