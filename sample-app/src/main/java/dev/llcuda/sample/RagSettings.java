package dev.llcuda.sample;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The RAG demo: a folder of text files embedded at start-up into an in-memory vector
 * store, and {@code POST /api/rag} answering questions from it. Off unless
 * {@code documents} is set.
 */
@ConfigurationProperties("sample.rag")
public class RagSettings {

	/**
	 * The folder of {@code .txt} files to answer from; each paragraph (text between blank
	 * lines) is one chunk.
	 */
	private @Nullable Path documents;

	/** How many of the nearest chunks go into the prompt. */
	private int topK = 2;

	public @Nullable Path getDocuments() {
		return this.documents;
	}

	public void setDocuments(@Nullable Path documents) {
		this.documents = documents;
	}

	public int getTopK() {
		return this.topK;
	}

	public void setTopK(int topK) {
		this.topK = topK;
	}

}
