package dev.llcuda.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.llcuda.cli.Main;
import dev.llcuda.model.ModelSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of every shared GGUF file (byte flips, truncations, huge counts and
 * lengths written over header fields) must open cleanly or fail with a
 * GgufFormatException, never with any other Throwable, an OutOfMemoryError or a hang.
 * Runs at least {@value #MIN_ROUNDS} rounds, then more until its time budget
 * ({@code -Dllcuda.fuzz.seconds}, default 20) is spent; every failure names its seed. A
 * second generator makes files that are invalid by construction (a field of the real
 * structure broken) and runs them, with random mutants, through {@code llcuda inspect}:
 * none may be accepted.
 */
class GgufFuzzTests {

	private static final long SEED = 0x11cdaL;

	/** Rounds (one mutant of each file) that run whatever the time budget. */
	private static final int MIN_ROUNDS = 3;

	private static final int MAX_ROUNDS = 400;

	// A hang detector, measured in this thread's CPU time so a loaded machine does not
	// trip it.
	private static final long SLOW_CASE_MILLIS = 20_000;

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private static final long[] HUGE_U64 = { Long.MAX_VALUE, -1L, 1L << 32, 1L << 31, (1L << 31) - 1, 1L << 40,
			Long.MIN_VALUE, 0 };

	private static final int[] ODD_U32 = { -1, 13, 99, 4, 5, Integer.MIN_VALUE, 0, 1, 9 };

	@TempDir
	Path dir;

	/**
	 * Rounds of the CLI run: one invalid and one random mutant of each file per round.
	 */
	private static final int CLI_ROUNDS = 14;

	/**
	 * A shared file, its bytes, its header length, the offsets that hold plausible u64
	 * counts, and the fields of its real structure that break it when overwritten.
	 */
	private record Corpus(Path source, byte[] bytes, int headerLength, int[] countFields, List<Field> fields,
			long dataEnd) {
	}

	/**
	 * A u64 count or length (overwritten with more than the file holds) or a u32 type id
	 * (with an unknown one).
	 */
	private record Field(int at, boolean typeId, String what) {
	}

	@Test
	void mutatedFilesOpenOrFailWithAFormatError() throws IOException {
		long budgetNanos = (long) (Double.parseDouble(System.getProperty("llcuda.fuzz.seconds", "20")) * 1e9);
		long start = System.nanoTime();
		List<Corpus> corpus = corpus();
		List<Path> copies = new ArrayList<>();
		for (Corpus original : corpus) {
			copies.add(Files.write(dir.resolve(original.source().getFileName()), original.bytes()));
		}
		int cases = 0;
		int accepted = 0;
		for (int round = 0; round < MIN_ROUNDS
				|| round < MAX_ROUNDS && System.nanoTime() - start < budgetNanos; round++) {
			for (int i = 0; i < corpus.size(); i++) {
				long seed = SEED + 1_000_003L * round + i;
				Corpus original = corpus.get(i);
				Mutant mutant = mutate(original, new SplittableRandom(seed));
				mutant.applyTo(copies.get(i));
				long caseStart = THREADS.getCurrentThreadCpuTime();
				try {
					if (exercise(copies.get(i))) {
						accepted++;
					}
				}
				catch (GgufFormatException expected) {
					assertTrue(expected.getMessage().startsWith(copies.get(i).toString()), expected.getMessage());
				}
				catch (Throwable t) {
					fail("seed " + seed + " on " + original.source().getFileName() + " (" + mutant + ") threw " + t, t);
				}
				long millis = (THREADS.getCurrentThreadCpuTime() - caseStart) / 1_000_000;
				assertTrue(millis < SLOW_CASE_MILLIS, "seed " + seed + " took " + millis + " ms of CPU: " + mutant);
				mutant.undo(copies.get(i), original.bytes());
				cases++;
			}
		}
		System.out.printf("GgufFuzzTests: %d mutated files, %d accepted, %.1f s%n", cases, accepted,
				(System.nanoTime() - start) / 1e9);
	}

	@Test
	void theCliRefusesEveryStructurallyInvalidFileAndSurvivesEveryMutant() throws IOException {
		long start = System.nanoTime();
		List<Corpus> corpus = corpus();
		int refused = 0;
		int accepted = 0;
		for (int round = 0; round < CLI_ROUNDS; round++) {
			for (int i = 0; i < corpus.size(); i++) {
				long seed = SEED ^ (7_000_003L * round + i);
				Corpus original = corpus.get(i);
				Path copy = Files.write(dir.resolve("cli-" + original.source().getFileName()), original.bytes());
				SplittableRandom random = new SplittableRandom(seed);
				Mutant invalid = invalidMutant(original, random);
				invalid.applyTo(copy);
				assertEquals(1, inspect(copy, seed, invalid), "seed " + seed + " on " + original.source().getFileName()
						+ ": llcuda inspect accepted a structurally invalid file (" + invalid + ")");
				refused++;
				invalid.undo(copy, original.bytes());
				Mutant anything = mutate(original, random);
				anything.applyTo(copy);
				accepted += inspect(copy, seed, anything) == 0 ? 1 : 0;
			}
		}
		System.out.printf("GgufFuzzTests (CLI): %d invalid files refused, %d random mutants (%d accepted), %.1f s%n",
				refused, refused, accepted, (System.nanoTime() - start) / 1e9);
	}

	/**
	 * Runs {@code llcuda inspect} in this process; returns its exit code, 0 or 1 with an
	 * error that names the file: anything else (another code, an escaping Throwable, a
	 * hang) fails the test.
	 */
	private static int inspect(Path file, long seed, Mutant mutant) {
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		long caseStart = THREADS.getCurrentThreadCpuTime();
		int code;
		try (PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8)) {
			code = Main.run(new String[] { "inspect", file.toString() },
					new PrintStream(OutputStream.nullOutputStream()), errors);
		}
		catch (Throwable t) {
			return fail("seed " + seed + " (" + mutant + "): llcuda inspect threw " + t, t);
		}
		long millis = (THREADS.getCurrentThreadCpuTime() - caseStart) / 1_000_000;
		assertTrue(millis < SLOW_CASE_MILLIS, "seed " + seed + " took " + millis + " ms of CPU: " + mutant);
		String message = err.toString(StandardCharsets.UTF_8);
		assertTrue(code == 0 || code == 1 && message.startsWith("llcuda inspect: " + file + " at byte offset "),
				"seed " + seed + " (" + mutant + "): exit code " + code + ", " + message);
		return code;
	}

	/** One break of the file's real structure, each of which no reader may accept. */
	private static Mutant invalidMutant(Corpus corpus, SplittableRandom random) {
		Mutant mutant = new Mutant();
		ByteBuffer u64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
		ByteBuffer u32 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
		switch (random.nextInt(4)) {
			case 0 -> mutant.cut(random.nextInt((int) corpus.dataEnd())); // the header or
																			// a tensor no
																			// longer fits
			case 1 -> {
				int at = random.nextInt(4);
				mutant.patch(at, new byte[] { (byte) (corpus.bytes()[at] ^ (1 + random.nextInt(255))) }, "magic");
			}
			case 2 -> {
				int version = random.nextBoolean() ? 1 : 4 + random.nextInt(1000);
				mutant.patch(4, u32.putInt(version).array(), "version=" + version);
			}
			default -> {
				Field field = corpus.fields().get(random.nextInt(corpus.fields().size()));
				if (field.typeId()) {
					int type = 13 + random.nextInt(1 << 20);
					mutant.patch(field.at(), u32.putInt(type).array(), field.what() + "=" + type);
				}
				else {
					long huge = corpus.bytes().length + 1L
							+ random.nextLong(Long.MAX_VALUE - corpus.bytes().length - 1L);
					mutant.patch(field.at(), u64.putLong(huge).array(), field.what() + "=" + huge);
				}
			}
		}
		return mutant;
	}

	/**
	 * The counts, lengths and type ids of the real structure: the two header counts, and
	 * each key's length, each value's type, each string value's length and each array's
	 * element type and count.
	 */
	private static List<Field> structuralFields(GgufFile gguf) {
		List<Field> fields = new ArrayList<>(
				List.of(new Field(8, false, "tensor count"), new Field(16, false, "key-value count")));
		for (String key : gguf.metadata().keys()) {
			int valueAt = (int) gguf.metadata().offset(key).orElseThrow();
			int typeAt = valueAt - 4;
			fields.add(new Field(typeAt, true, "type of " + key));
			fields.add(
					new Field(typeAt - key.getBytes(StandardCharsets.UTF_8).length - 8, false, "length of key " + key));
			GgufValue value = gguf.metadata().get(key);
			if (value instanceof GgufValue.Text) {
				fields.add(new Field(valueAt, false, "length of " + key));
			}
			else if (value instanceof GgufValue.Array) {
				fields.add(new Field(valueAt, true, "element type of " + key));
				fields.add(new Field(valueAt + 4, false, "element count of " + key));
			}
		}
		return fields;
	}

	/**
	 * Bytes written over a copy of a shared file, then perhaps a cut; undone after each
	 * case.
	 */
	private static final class Mutant {

		private final List<Integer> positions = new ArrayList<>();

		private final List<byte[]> patches = new ArrayList<>();

		private final StringBuilder description = new StringBuilder();

		private int cut = -1;

		void patch(int at, byte[] bytes, String what) {
			positions.add(at);
			patches.add(bytes);
			description.append(what).append('@').append(at).append(' ');
		}

		void cut(int length) {
			cut = length;
			description.append("cut@").append(length).append(' ');
		}

		void applyTo(Path file) throws IOException {
			try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
				for (int i = 0; i < patches.size(); i++) {
					channel.write(ByteBuffer.wrap(patches.get(i)), positions.get(i));
				}
				if (cut >= 0) {
					channel.truncate(cut);
				}
			}
		}

		void undo(Path file, byte[] original) throws IOException {
			try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
				for (int i = 0; i < patches.size(); i++) {
					channel.write(ByteBuffer.wrap(original, positions.get(i), patches.get(i).length), positions.get(i));
				}
				if (cut >= 0) {
					channel.write(ByteBuffer.wrap(original, cut, original.length - cut), cut);
				}
			}
		}

		@Override
		public String toString() {
			return description.toString().trim();
		}

	}

	/** Opens the file and uses everything a caller would; true if it was accepted. */
	private static boolean exercise(Path file) throws IOException {
		try (GgufFile gguf = GgufFile.open(file)) {
			for (String key : gguf.metadata().keys()) {
				GgufValue value = gguf.metadata().get(key);
				value.display(8, 64);
				if (value instanceof GgufValue.Array array) {
					array.elements().forEach(GgufValue::typeName); // decodes every
																	// element
				}
			}
			for (TensorInfo t : gguf.tensors()) {
				ByteBuffer data = gguf.tensorData(t);
				if (data.hasRemaining()) {
					data.get(data.limit() - 1);
				}
			}
			if (!gguf.tensors().isEmpty()) {
				ModelSpec.from(gguf);
			}
			return true;
		}
	}

	private static Mutant mutate(Corpus corpus, SplittableRandom random) {
		Mutant mutant = new Mutant();
		int header = corpus.headerLength();
		int mutations = 1 + random.nextInt(3);
		for (int m = 0; m < mutations; m++) {
			switch (random.nextInt(4)) {
				case 0 -> { // flip a header byte
					int at = random.nextInt(header);
					mutant.patch(at, new byte[] { (byte) (corpus.bytes()[at] ^ (1 + random.nextInt(255))) }, "flip");
				}
				case 1 -> { // truncate anywhere, the last mutation
					mutant.cut(random.nextInt(corpus.bytes().length));
					return mutant;
				}
				case 2 -> { // a huge value over a count or length
					int[] fields = corpus.countFields();
					int at = fields.length > 0 && random.nextInt(4) > 0 ? fields[random.nextInt(fields.length)]
							: random.nextInt(header - 8);
					long value = HUGE_U64[random.nextInt(HUGE_U64.length)];
					mutant.patch(at, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array(),
							"u64=" + Long.toUnsignedString(value));
				}
				default -> { // an odd u32 over a type id, version or dimension count
					int at = random.nextInt(header - 4);
					int value = ODD_U32[random.nextInt(ODD_U32.length)];
					mutant.patch(at, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array(),
							"u32=" + value);
				}
			}
		}
		return mutant;
	}

	private static List<Corpus> corpus() throws IOException {
		List<Corpus> corpus = new ArrayList<>();
		for (Path source : Stream.concat(SharedGgufFiles.models().stream(), SharedGgufFiles.vocabularies().stream())
			.toList()) {
			byte[] bytes = Files.readAllBytes(source);
			int header;
			List<Field> fields;
			long dataEnd;
			try (GgufFile gguf = GgufFile.open(source)) {
				header = (int) Math.min(gguf.dataOffset(), bytes.length);
				fields = structuralFields(gguf);
				// without tensors, cuts stay before the alignment padding (which may be
				// cut away)
				dataEnd = gguf.tensors()
					.stream()
					.mapToLong(t -> t.offset() + t.byteSize())
					.max()
					.orElse(gguf.dataOffset() - gguf.alignment() + 1);
			}
			corpus.add(new Corpus(source, bytes, header, countFields(bytes, header), fields, dataEnd));
		}
		return corpus;
	}

	/**
	 * Offsets of u64 values from 1 to 2^20 in the header: most are string lengths and
	 * element counts.
	 */
	private static int[] countFields(byte[] bytes, int header) {
		ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		int[] fields = new int[Math.max(0, header - 8)];
		int count = 0;
		for (int at = 0; at < header - 8; at++) {
			long value = buffer.getLong(at);
			if (value >= 1 && value <= 1 << 20) {
				fields[count++] = at;
			}
		}
		return Arrays.copyOf(fields, count);
	}

}
