package dev.llcuda.tokenizer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Encode throughput on English prose, single thread (a plain harness, not a test).
 *
 * <pre>
 * mvn -B -o -q -pl llcuda-native test-compile -Dllcuda.native.skip=true
 * java -cp llcuda-native/target/classes:llcuda-native/target/test-classes \
 *     dev.llcuda.tokenizer.EncodeThroughputBenchmark [TESTDATA_DIR [CORPUS_FILE...]]
 * </pre>
 *
 * The corpus defaults to the license texts in /usr/share/common-licenses (English prose).
 * Each vocabulary is measured twice: with a fresh tokenizer per round (an empty word
 * cache: every word is merged) and with one tokenizer reused (words come from the cache),
 * after JIT warm-up rounds. Rates are per core: bytes over the encoding thread's CPU
 * time, so that other load on the machine does not count against it.
 */
public final class EncodeThroughputBenchmark {

	private static final String[] VOCABULARIES = { "llama-spm", "gpt-2", "llama-bpe" };

	private static final int WARMUP_ROUNDS = 5;

	private static final int MEASURED_ROUNDS = 11;

	/**
	 * Passes over the corpus per round with a warm cache (a cold cache allows only one).
	 */
	private static final int WARM_PASSES = 5;

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private EncodeThroughputBenchmark() {
	}

	public static void main(String[] args) throws IOException {
		Path testData = Path.of(args.length > 0 ? args[0] : "../shared/testdata");
		List<Path> corpusFiles = new ArrayList<>();
		for (int i = 1; i < args.length; i++) {
			corpusFiles.add(Path.of(args[i]));
		}
		if (corpusFiles.isEmpty()) {
			try (Stream<Path> files = Files.list(Path.of("/usr/share/common-licenses"))) {
				files.filter(Files::isRegularFile).sorted().forEach(corpusFiles::add);
			}
		}
		StringBuilder corpus = new StringBuilder();
		for (Path file : corpusFiles) {
			corpus.append(Files.readString(file)).append('\n');
		}
		String text = corpus.toString();
		double megabytes = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
		System.out.printf("corpus: %d files, %.3f MB; JVM %s; %d available processors%n", corpusFiles.size(), megabytes,
				System.getProperty("java.vm.version"), Runtime.getRuntime().availableProcessors());

		for (String name : VOCABULARIES) {
			Path vocab = testData.resolve("vocab/ggml-vocab-" + name + ".gguf");
			Tokenizer reused = Vocabularies.load(vocab);
			int tokens = reused.encode(text, false, false).length;
			Rate cold = measure(() -> Vocabularies.readTokenizer(vocab), 1, text, megabytes);
			Rate warm = measure(() -> reused, WARM_PASSES, text, megabytes);
			System.out.printf("%-10s %8d tokens  cold word cache %s  warm word cache %s%n", name, tokens, cold, warm);
		}
	}

	/** Median and best MB per CPU second of the measured rounds. */
	private record Rate(double median, double best) {
		@Override
		public String toString() {
			return String.format("median %6.1f MB/s (best %6.1f)", median, best);
		}
	}

	/**
	 * Each round encodes the corpus {@code passes} times with one tokenizer from
	 * {@code tokenizers} (not timed).
	 */
	private static Rate measure(Supplier<Tokenizer> tokenizers, int passes, String text, double megabytes) {
		double[] rates = new double[MEASURED_ROUNDS];
		for (int round = -WARMUP_ROUNDS; round < MEASURED_ROUNDS; round++) {
			Tokenizer tokenizer = tokenizers.get();
			long start = THREADS.getCurrentThreadCpuTime();
			for (int pass = 0; pass < passes; pass++) {
				if (tokenizer.encode(text, false, false).length == 0) {
					throw new IllegalStateException("no tokens");
				}
			}
			long nanos = THREADS.getCurrentThreadCpuTime() - start;
			if (round >= 0) {
				rates[round] = passes * megabytes / (nanos / 1e9);
			}
		}
		Arrays.sort(rates);
		return new Rate(rates[MEASURED_ROUNDS / 2], rates[MEASURED_ROUNDS - 1]);
	}

}
