package dev.llcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class CFloatFormatTests {

	@Test
	void writesNumbersAsCPrintfPercentG() {
		assertEquals("0", CFloatFormat.g(0.0));
		assertEquals("-0", CFloatFormat.g(-0.0));
		assertEquals("1", CFloatFormat.g(1.0));
		assertEquals("-1.26538", CFloatFormat.g(-1.265381));
		assertEquals("0.373495", CFloatFormat.g(0.3734953));
		assertEquals("0.0001", CFloatFormat.g(1e-4));
		assertEquals("4.09066e-05", CFloatFormat.g(4.090664e-5));
		assertEquals("-1e-05", CFloatFormat.g(-1e-5));
		assertEquals("123457", CFloatFormat.g(123456.7));
		assertEquals("1e+06", CFloatFormat.g(999999.7));
		assertEquals("1.5e+20", CFloatFormat.g(1.5e20));
		assertEquals("1e-100", CFloatFormat.g(1e-100));
		assertEquals("2.5", CFloatFormat.g(2.5));
		assertEquals("inf", CFloatFormat.g(Double.POSITIVE_INFINITY));
		assertEquals("nan", CFloatFormat.g(Double.NaN));
		assertEquals("9.99999e-05", CFloatFormat.g(9.999994e-5));
		assertEquals("0.0001", CFloatFormat.g(9.999996e-5));
		assertEquals("99999.9", CFloatFormat.g(99999.95));
		assertEquals("100000", CFloatFormat.g(99999.96));
	}

	@Test
	void roundsExactTiesToEvenAsGlibcDoes() {
		assertEquals("0.507812", CFloatFormat.g(0.5078125));
		assertEquals("1.23438", CFloatFormat.g(1.234375));
		assertEquals("1.23456e+06", CFloatFormat.g(1234565.0));
		assertEquals("1.23458e+06", CFloatFormat.g(1234575.0));
		assertEquals("-3.05176e-05", CFloatFormat.g(-0x1p-15));
	}

	@Test
	void rewritesEveryNumberOfAReferenceLogitsFileExactly() throws IOException {
		Path reference = Path.of(System.getProperty("llcuda.testdata"), "models", "reference",
				"micro-llama-Q4_0.p1.exact.txt.gz");
		try (BufferedReader in = new BufferedReader(new InputStreamReader(
				new GZIPInputStream(Files.newInputStream(reference)), StandardCharsets.US_ASCII))) {
			int positions = in.readLine().split(" ").length;
			int numbers = 0;
			for (String line; (line = in.readLine()) != null;) {
				for (String number : line.split(" ")) {
					assertEquals(number, CFloatFormat.g(Double.parseDouble(number)));
					numbers++;
				}
			}
			assertEquals(positions * 512, numbers, "every position has one logit per vocabulary entry");
		}
	}

}
