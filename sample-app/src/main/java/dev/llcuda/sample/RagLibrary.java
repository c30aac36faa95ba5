package dev.llcuda.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The RAG demo's documents: every paragraph of the {@code .txt} files in
 * {@code sample.rag.documents}, embedded at start-up through the application's
 * {@link EmbeddingModel} into a {@link SimpleVectorStore}.
 */
@Component
@ConditionalOnProperty("sample.rag.documents")
public class RagLibrary {

	/** The metadata key naming a chunk's file. */
	public static final String SOURCE = "source";

	private static final Logger logger = LoggerFactory.getLogger(RagLibrary.class);

	private final VectorStore store;

	private final int chunks;

	public RagLibrary(RagSettings settings, EmbeddingModel embeddingModel) {
		Path folder = settings.getDocuments();
		if (folder == null || !Files.isDirectory(folder)) {
			throw new IllegalStateException("sample.rag.documents '" + folder + "' is not a folder");
		}
		List<Document> documents = chunks(folder);
		if (documents.isEmpty()) {
			throw new IllegalStateException("sample.rag.documents '" + folder + "' has no .txt file with text");
		}
		SimpleVectorStore store = SimpleVectorStore.builder(embeddingModel).build();
		store.add(documents);
		this.store = store;
		this.chunks = documents.size();
		logger.info("RAG demo: {} chunks of {} embedded", this.chunks, folder);
	}

	public VectorStore store() {
		return this.store;
	}

	/** How many chunks the store holds. */
	public int chunks() {
		return this.chunks;
	}

	/** The paragraphs of the folder's {@code .txt} files, in file-name order. */
	static List<Document> chunks(Path folder) {
		List<Document> documents = new ArrayList<>();
		for (Path file : textFiles(folder)) {
			for (String paragraph : read(file).split("\\R\\s*\\R")) {
				if (!paragraph.isBlank()) {
					documents.add(new Document(paragraph.strip(), Map.of(SOURCE, file.getFileName().toString())));
				}
			}
		}
		return documents;
	}

	private static List<Path> textFiles(Path folder) {
		try (Stream<Path> files = Files.list(folder)) {
			return files.filter(path -> path.toString().endsWith(".txt") && Files.isRegularFile(path))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("sample.rag.documents: cannot list " + folder, ex);
		}
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("sample.rag.documents: cannot read " + file + " as UTF-8 text", ex);
		}
	}

}
