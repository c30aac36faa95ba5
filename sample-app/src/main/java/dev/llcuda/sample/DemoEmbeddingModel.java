package dev.llcuda.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import dev.llcuda.gguf.GgufWriter;

/**
 * Writes the demo embedding model and the demo documents on first start, so
 * {@code /v1/embeddings} and {@code POST /api/rag} work without downloads: a bert encoder
 * (laid out as llama.cpp writes BGE models) of 2 layers and 64 dimensions with seeded
 * random weights, mean pooling and a WordPiece vocabulary of the {@link DemoVocabulary}
 * words. Its vectors are meaningless, so retrieval is arbitrary.
 * <p>
 * It must exist before the model set opens the file: {@link DemoFilesFirst} makes the set
 * wait for it.
 */
@Component
@ConditionalOnProperty(name = "sample.demo.enabled", havingValue = "true")
public class DemoEmbeddingModel {

	private static final Logger logger = LoggerFactory.getLogger(DemoEmbeddingModel.class);

	static final int EMBEDDING = 64;
	static final int LAYERS = 2;
	static final int HEADS = 4;
	static final int FEED_FORWARD = 128;
	static final int POSITIONS = 128;
	static final int TOKEN_TYPES = 2;
	static final int MEAN_POOLING = 1;
	static final long SEED = 20261128L;

	static final int PADDING_ID = 0;
	static final int UNKNOWN_ID = 1;
	static final int CLS_ID = 2;
	static final int SEPARATOR_ID = 3;

	/** The demo documents: file name and text; each paragraph is one RAG chunk. */
	static final List<String[]> DOCUMENTS = List.of(
			new String[] { "llcuda.txt", "llcuda runs the model on the GPU.\n\nSpring Boot serves it over HTTP.\n" },
			new String[] { "demo.txt", "The demo model has random weights, so its text is meaningless.\n\n"
					+ "Set llcuda.model.path to a real model for real answers.\n" });

	public DemoEmbeddingModel(DemoSettings settings) {
		try {
			if (!Files.exists(settings.getEmbeddingFile())) {
				write(settings.getEmbeddingFile());
				logger.info("llcuda demo: wrote the demo embedding model to {}",
						settings.getEmbeddingFile().toAbsolutePath());
			}
			if (!Files.exists(settings.getDocuments())) {
				writeDocuments(settings.getDocuments());
				logger.info("llcuda demo: wrote the demo documents to {}", settings.getDocuments().toAbsolutePath());
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot write the demo embedding model or documents: " + e.getMessage(), e);
		}
	}

	static void writeDocuments(Path folder) throws IOException {
		Path partial = folder.resolveSibling(folder.getFileName() + ".partial");
		Files.createDirectories(partial);
		for (String[] document : DOCUMENTS) {
			Files.writeString(partial.resolve(document[0]), document[1]);
		}
		Files.move(partial, folder, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	static void write(Path file) throws IOException {
		List<String> tokens = vocabulary();
		int vocab = tokens.size();
		int[] types = new int[vocab];
		for (int id = 0; id < vocab; id++) {
			types[id] = id <= SEPARATOR_ID ? 3 : 1; // control for the specials, normal
													// otherwise
		}
		Random random = new Random(SEED);
		GgufWriter writer = new GgufWriter().putString("general.architecture", "bert")
			.putString("general.name", "llcuda-demo-embedding (random weights)")
			.putUint32("general.file_type", 0)
			.putUint32("bert.context_length", POSITIONS)
			.putUint32("bert.embedding_length", EMBEDDING)
			.putUint32("bert.block_count", LAYERS)
			.putUint32("bert.feed_forward_length", FEED_FORWARD)
			.putUint32("bert.attention.head_count", HEADS)
			.putFloat32("bert.attention.layer_norm_epsilon", 1e-12f)
			.putBool("bert.attention.causal", false)
			.putUint32("bert.pooling_type", MEAN_POOLING)
			.putString("tokenizer.ggml.model", "bert")
			.putStrings("tokenizer.ggml.tokens", tokens.toArray(String[]::new))
			.putInt32s("tokenizer.ggml.token_type", types)
			.putUint32("tokenizer.ggml.token_type_count", TOKEN_TYPES)
			.putUint32("tokenizer.ggml.padding_token_id", PADDING_ID)
			.putUint32("tokenizer.ggml.unknown_token_id", UNKNOWN_ID)
			.putUint32("tokenizer.ggml.bos_token_id", CLS_ID)
			.putUint32("tokenizer.ggml.seperator_token_id", SEPARATOR_ID); // sic:
																			// llama.cpp's
																			// key
		DemoModel.gaussian(writer, random, "token_embd.weight", EMBEDDING, vocab);
		DemoModel.gaussian(writer, random, "position_embd.weight", EMBEDDING, POSITIONS);
		DemoModel.gaussian(writer, random, "token_types.weight", EMBEDDING, TOKEN_TYPES);
		layerNorm(writer, "token_embd_norm");
		for (int layer = 0; layer < LAYERS; layer++) {
			String prefix = "blk." + layer + ".";
			for (String name : new String[] { "attn_q", "attn_k", "attn_v", "attn_output" }) {
				linear(writer, random, prefix + name, EMBEDDING, EMBEDDING);
			}
			layerNorm(writer, prefix + "attn_output_norm");
			linear(writer, random, prefix + "ffn_up", EMBEDDING, FEED_FORWARD);
			linear(writer, random, prefix + "ffn_down", FEED_FORWARD, EMBEDDING);
			layerNorm(writer, prefix + "layer_output_norm");
		}
		DemoModel.writeAtomically(writer, file);
	}

	/**
	 * WordPiece tokens: the specials, every character at a word start and inside one, the
	 * demo words.
	 */
	static List<String> vocabulary() {
		Set<String> tokens = new LinkedHashSet<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]"));
		String characters = DemoVocabulary.CHARACTERS.toLowerCase(Locale.ROOT);
		for (char c : characters.toCharArray()) {
			tokens.add("\u2581" + c);
			tokens.add(String.valueOf(c));
		}
		for (String word : DemoVocabulary.WORDS.split(" ")) {
			tokens.add("\u2581" + word.toLowerCase(Locale.ROOT));
		}
		return new ArrayList<>(tokens);
	}

	private static void linear(GgufWriter writer, Random random, String name, int inputs, int outputs) {
		DemoModel.gaussian(writer, random, name + ".weight", inputs, outputs);
		DemoModel.constant(writer, name + ".bias", outputs, 0f);
	}

	private static void layerNorm(GgufWriter writer, String name) {
		DemoModel.ones(writer, name + ".weight", EMBEDDING);
		DemoModel.constant(writer, name + ".bias", EMBEDDING, 0f);
	}

}
