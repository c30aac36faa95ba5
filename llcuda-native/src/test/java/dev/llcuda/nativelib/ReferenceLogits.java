package dev.llcuda.nativelib;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A reference logits file: line 1 the prompt's token ids, then the logits row of each
 * position.
 */
public record ReferenceLogits(int[] tokens, float[][] rows) {

	public static ReferenceLogits read(Path file) {
		try (BufferedReader in = new BufferedReader(
				new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.US_ASCII),
				1 << 16)) {
			int[] tokens = Arrays.stream(in.readLine().split(" ")).mapToInt(Integer::parseInt).toArray();
			List<float[]> rows = new ArrayList<>();
			for (String line; (line = in.readLine()) != null;) {
				String[] numbers = line.split(" ");
				float[] row = new float[numbers.length];
				for (int i = 0; i < numbers.length; i++) {
					row[i] = Float.parseFloat(numbers[i]);
				}
				rows.add(row);
			}
			if (rows.size() != tokens.length) {
				throw new IllegalStateException(
						file + " has " + rows.size() + " rows for " + tokens.length + " tokens");
			}
			return new ReferenceLogits(tokens, rows.toArray(float[][]::new));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** ‖actual − expected‖ / ‖expected‖ over all rows, in double precision. */
	public static double relativeError(float[][] actual, float[][] expected) {
		if (actual.length != expected.length) {
			throw new AssertionError(actual.length + " rows, expected " + expected.length);
		}
		double difference = 0;
		double norm = 0;
		for (int r = 0; r < expected.length; r++) {
			if (actual[r].length != expected[r].length) {
				throw new AssertionError(
						"row " + r + " has " + actual[r].length + " logits, expected " + expected[r].length);
			}
			for (int i = 0; i < expected[r].length; i++) {
				double d = (double) actual[r][i] - expected[r][i];
				difference += d * d;
				norm += (double) expected[r][i] * expected[r][i];
			}
		}
		return Math.sqrt(difference / norm);
	}
}
