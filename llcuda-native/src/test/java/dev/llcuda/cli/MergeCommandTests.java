package dev.llcuda.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.engine.AdapterMerger;
import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code llcuda merge}: the file the merger writes for the same adapters and scales, in
 * order; options it does not take and missing ones are usage errors.
 */
class MergeCommandTests extends CommandTestSupport {

	private static final Path BASE = MODELS.resolve("micro-llama-f32.gguf");

	/** An adapter of layer 0's q projection (the micro model's [256, 256]). */
	private Path adapter(String name, long seed) throws IOException {
		Random random = new Random(seed);
		Path path = folder.resolve(name);
		new GgufWriter().putString("general.architecture", "llama")
			.putString("general.type", "adapter")
			.putString("adapter.type", "lora")
			.putFloat32("adapter.lora.alpha", 8f)
			.addTensor("blk.0.attn_q.weight.lora_a", GgmlType.F32, new long[] { 256, 4 }, gaussian(random, 1024))
			.addTensor("blk.0.attn_q.weight.lora_b", GgmlType.F32, new long[] { 4, 256 }, gaussian(random, 1024))
			.write(path);
		return path;
	}

	private static byte[] gaussian(Random random, int count) {
		ByteBuffer bytes = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < count; i++) {
			bytes.putFloat((float) random.nextGaussian() * 0.1f);
		}
		return bytes.array();
	}

	@Test
	void mergeWritesWhatTheMergerWritesForTheAdaptersInOrder() throws IOException {
		Path first = adapter("first.gguf", 1);
		Path second = adapter("second.gguf", 2);
		Path out = folder.resolve("merged.gguf");

		Result result = run("merge", BASE.toString(), "--lora", first.toString(), "--lora-scale", "0.5", "--lora",
				second.toString(), "--lora-scale", "-2", "-o", out.toString());

		assertEquals(0, result.code(), result.err());
		assertTrue(result.out().startsWith("wrote " + out), result.out());
		Path expected = folder.resolve("expected.gguf");
		new AdapterMerger(NativeLibrary.load(NativeLibraryOptions.fromSystemProperties())).merge(BASE,
				List.of(new AdapterMerger.Lora(first, 0.5f), new AdapterMerger.Lora(second, -2f)), expected);
		assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(out));
		assertFalse(Arrays.equals(Files.readAllBytes(BASE), Files.readAllBytes(out)),
				"the adapters change the weights");
	}

	@Test
	void unknownOrMissingOptionsAreUsageErrors() throws IOException {
		String adapter = adapter("a.gguf", 3).toString();
		String out = folder.resolve("x.gguf").toString();
		Result unknown = run("merge", BASE.toString(), "--lora", adapter, "--scale", "2", "-o", out);
		assertEquals(2, unknown.code());
		assertTrue(unknown.err().contains("unknown option --scale"), unknown.err());
		Result noAdapter = run("merge", BASE.toString(), "-o", out);
		assertEquals(2, noAdapter.code());
		assertTrue(noAdapter.err().contains("missing option --lora"), noAdapter.err());
		Result noOut = run("merge", BASE.toString(), "--lora", adapter);
		assertEquals(2, noOut.code());
		assertTrue(noOut.err().contains("missing option -o"), noOut.err());
		Result badScale = run("merge", BASE.toString(), "--lora", adapter, "--lora-scale", "nan", "-o", out);
		assertEquals(2, badScale.code());
		assertTrue(badScale.err().contains("--lora-scale must be a finite number"), badScale.err());
		assertFalse(Files.exists(Path.of(out)), "no file is written");
	}

}
