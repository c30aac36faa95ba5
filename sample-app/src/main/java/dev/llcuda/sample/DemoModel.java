package dev.llcuda.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gguf.GgufWriter;

/**
 * Writes the demo model on first start (before the engine starts and loads it): a
 * Llama-layout model of 2 layers and 64 dimensions with seeded random F32 weights and a
 * {@link DemoVocabulary}. It runs everything a real model runs, but its text is
 * meaningless.
 */
@Component
@ConditionalOnProperty(name = "sample.demo.enabled", havingValue = "true")
public class DemoModel {

	private static final Logger logger = LoggerFactory.getLogger(DemoModel.class);

	static final int EMBEDDING = 64;
	static final int LAYERS = 2;
	static final int HEADS = 4;
	static final int KV_HEADS = 2;
	static final int FEED_FORWARD = 128;
	static final int CONTEXT = 512;

	/** Weights are drawn from N(0, 0.02²), the usual initialisation scale. */
	static final double WEIGHT_STD = 0.02;
	static final long SEED = 20261127L;

	public DemoModel(DemoSettings settings) {
		Path file = settings.getFile();
		if (!Files.exists(file)) {
			try {
				write(file);
			}
			catch (IOException e) {
				throw new UncheckedIOException("cannot write the demo model to " + file + ": " + e.getMessage(), e);
			}
			logger.info("llcuda demo: wrote the demo model to {}", file.toAbsolutePath());
		}
		logger.warn("llcuda demo: {}", DemoSettings.WARNING);
	}

	static void write(Path file) throws IOException {
		DemoVocabulary vocabulary = new DemoVocabulary();
		int vocab = vocabulary.size();
		int headSize = EMBEDDING / HEADS;
		int kvDim = KV_HEADS * headSize;
		Random random = new Random(SEED);
		GgufWriter writer = new GgufWriter().putString("general.architecture", "llama")
			.putString("general.name", "llcuda-demo (random weights)")
			.putUint32("general.file_type", 0)
			.putUint32("llama.context_length", CONTEXT)
			.putUint32("llama.embedding_length", EMBEDDING)
			.putUint32("llama.block_count", LAYERS)
			.putUint32("llama.feed_forward_length", FEED_FORWARD)
			.putUint32("llama.attention.head_count", HEADS)
			.putUint32("llama.attention.head_count_kv", KV_HEADS)
			.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
			.putFloat32("llama.rope.freq_base", 10000f)
			.putString("tokenizer.ggml.model", "llama")
			.putStrings("tokenizer.ggml.tokens", vocabulary.tokens())
			.putFloat32s("tokenizer.ggml.scores", vocabulary.scores())
			.putInt32s("tokenizer.ggml.token_type", vocabulary.types())
			.putUint32("tokenizer.ggml.unknown_token_id", DemoVocabulary.UNKNOWN_ID)
			.putUint32("tokenizer.ggml.bos_token_id", DemoVocabulary.BOS_ID)
			.putUint32("tokenizer.ggml.eos_token_id", DemoVocabulary.EOS_ID)
			.putBool("tokenizer.ggml.add_bos_token", true)
			.putBool("tokenizer.ggml.add_eos_token", false);
		gaussian(writer, random, "token_embd.weight", EMBEDDING, vocab);
		ones(writer, "output_norm.weight", EMBEDDING);
		gaussian(writer, random, "output.weight", EMBEDDING, vocab);
		for (int layer = 0; layer < LAYERS; layer++) {
			String prefix = "blk." + layer + ".";
			ones(writer, prefix + "attn_norm.weight", EMBEDDING);
			gaussian(writer, random, prefix + "attn_q.weight", EMBEDDING, EMBEDDING);
			gaussian(writer, random, prefix + "attn_k.weight", EMBEDDING, kvDim);
			gaussian(writer, random, prefix + "attn_v.weight", EMBEDDING, kvDim);
			gaussian(writer, random, prefix + "attn_output.weight", EMBEDDING, EMBEDDING);
			ones(writer, prefix + "ffn_norm.weight", EMBEDDING);
			gaussian(writer, random, prefix + "ffn_gate.weight", EMBEDDING, FEED_FORWARD);
			gaussian(writer, random, prefix + "ffn_up.weight", EMBEDDING, FEED_FORWARD);
			gaussian(writer, random, prefix + "ffn_down.weight", FEED_FORWARD, EMBEDDING);
		}
		writeAtomically(writer, file);
	}

	/**
	 * Writes through a partial file so an interrupted first start never leaves a
	 * truncated model.
	 */
	static void writeAtomically(GgufWriter writer, Path file) throws IOException {
		Files.createDirectories(file.toAbsolutePath().getParent());
		Path partial = file.resolveSibling(file.getFileName() + ".partial");
		writer.write(partial);
		Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	/**
	 * An F32 tensor of {@code columns x rows} (GGUF order) drawn from N(0, WEIGHT_STD²).
	 */
	static void gaussian(GgufWriter writer, Random random, String name, int columns, int rows) {
		ByteBuffer bytes = ByteBuffer.allocate(columns * rows * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < columns * rows; i++) {
			bytes.putFloat((float) (random.nextGaussian() * WEIGHT_STD));
		}
		writer.addTensor(name, GgmlType.F32, new long[] { columns, rows }, bytes.array());
	}

	/** An F32 vector of ones (the norm weights). */
	static void ones(GgufWriter writer, String name, int count) {
		constant(writer, name, count, 1f);
	}

	/** An F32 vector of {@code count} copies of {@code value}. */
	static void constant(GgufWriter writer, String name, int count, float value) {
		ByteBuffer bytes = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < count; i++) {
			bytes.putFloat(value);
		}
		writer.addTensor(name, GgmlType.F32, new long[] { count }, bytes.array());
	}

}
