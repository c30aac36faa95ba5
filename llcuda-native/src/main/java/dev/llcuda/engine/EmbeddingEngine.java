package dev.llcuda.engine;

import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.nativelib.Backend;
import dev.llcuda.nativelib.Model;
import dev.llcuda.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An encoder model (bert) that turns texts into vectors: each text is tokenized with the
 * model's tokenizer (CLS and SEP added), texts are packed into native calls of at most
 * {@link Options#maxBatchTokens()} tokens without padding, and each comes back as one
 * pooled, L2-normalised vector. Calls are serialised: a backend runs one thing at a time.
 */
public final class EmbeddingEngine implements AutoCloseable {

	/** What to do with a text longer than the model's context. */
	public enum Overflow {

		/** Refuse the whole request, naming the text and its length. */
		REFUSE,
		/** Keep the first context-length − 1 tokens and the closing separator. */
		TRUNCATE

	}

	/**
	 * @param maxBatchTokens most tokens one native call carries (at least the model's
	 * context)
	 * @param overflow texts longer than the model's context
	 */
	public record Options(int maxBatchTokens, Overflow overflow) {
		public Options {
			Objects.requireNonNull(overflow, "overflow");
			if (maxBatchTokens < 1) {
				throw new IllegalArgumentException("maxBatchTokens = " + maxBatchTokens + " must be >= 1");
			}
		}

		public static Options defaults() {
			return new Options(8192, Overflow.REFUSE);
		}
	}

	/** The vectors of the texts, in order, and the tokens they took. */
	public record Result(List<float[]> vectors, int tokens) {
		public Result {
			vectors = List.copyOf(vectors);
		}
	}

	private final ModelFile file;

	private final Model model;

	private final Options options;

	private EmbeddingEngine(ModelFile file, Model model, Options options) {
		this.file = file;
		this.model = model;
		this.options = options;
	}

	/**
	 * @throws IOException when the file cannot be read or is not a model llcuda runs
	 * @throws IllegalArgumentException when the model does not embed (a decoder)
	 * @throws RuntimeException from the native library (refused spec, memory, backend
	 * without an encoder pass), naming what is wrong
	 */
	public static EmbeddingEngine open(Backend backend, Path gguf, Options options) throws IOException {
		ModelFile file = ModelFile.read(gguf);
		if (!file.spec().architecture().encoder()) {
			throw new IllegalArgumentException(gguf + " is a " + file.spec().architecture().ggufName()
					+ " model: it generates text and has no embeddings; embedding models are bert files");
		}
		return new EmbeddingEngine(file, file.load(backend), options);
	}

	/**
	 * Device memory the weights of the model in {@code gguf} take (activations of a call
	 * come on top).
	 */
	public static long memoryNeeded(Path gguf) throws IOException {
		return ModelFile.read(gguf).spec().tensors().stream().mapToLong(TensorInfo::byteSize).sum();
	}

	public ModelSpec spec() {
		return file.spec();
	}

	public Path path() {
		return file.path();
	}

	/** The version of the file the weights were copied from. */
	public FileIdentity loadedFile() {
		return file.identity();
	}

	public Tokenizer tokenizer() {
		return file.tokenizer();
	}

	/** Length of each vector. */
	public int dimensions() {
		return file.spec().embeddingSize();
	}

	/**
	 * The vectors of {@code texts}, in order.
	 * @throws IllegalArgumentException when a text is longer than the context and the
	 * overflow is {@link Overflow#REFUSE}, naming the text's index and length
	 */
	public Result embed(List<String> texts) {
		List<int[]> inputs = new ArrayList<>(texts.size());
		int tokens = 0;
		for (int i = 0; i < texts.size(); i++) {
			int[] ids = fit(i, file.tokenizer().encode(texts.get(i), true, false));
			inputs.add(ids);
			tokens += ids.length;
		}
		List<float[]> vectors = new ArrayList<>(texts.size());
		int budget = Math.max(options.maxBatchTokens(), file.spec().contextLength());
		int start = 0;
		while (start < inputs.size()) {
			int end = start;
			int batchTokens = 0;
			while (end < inputs.size() && batchTokens + inputs.get(end).length <= budget) {
				batchTokens += inputs.get(end++).length;
			}
			vectors.addAll(run(inputs.subList(start, end)));
			start = end;
		}
		return new Result(vectors, tokens);
	}

	private synchronized List<float[]> run(List<int[]> batch) {
		return Arrays.asList(model.embed(batch));
	}

	/**
	 * The input within the context, as the overflow option says; an empty text still has
	 * CLS and SEP.
	 */
	private int[] fit(int index, int[] ids) {
		int context = file.spec().contextLength();
		if (ids.length == 0) {
			throw new IllegalArgumentException("text " + index + " has no tokens (the vocabulary adds no CLS/SEP)");
		}
		if (ids.length <= context) {
			return ids;
		}
		if (options.overflow() == Overflow.REFUSE) {
			throw new IllegalArgumentException("text " + index + " has " + ids.length + " tokens, more than the "
					+ "model's context of " + context + " (truncation is off)");
		}
		int[] kept = Arrays.copyOf(ids, context);
		kept[context - 1] = ids[ids.length - 1];
		return kept;
	}

	@Override
	public synchronized void close() {
		model.close();
	}

}
