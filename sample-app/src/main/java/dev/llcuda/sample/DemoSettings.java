package dev.llcuda.sample;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code demo} profile: a small random-weight model written on first start so the
 * service runs without downloading anything.
 */
@ConfigurationProperties("sample.demo")
public class DemoSettings {

	/** What the page and the logs say while the demo model serves. */
	public static final String WARNING = "Demo model: random weights, so its text is meaningless. It shows the "
			+ "service working end to end; set llcuda.model.path to a real GGUF model for real answers.";

	/** Write and serve the demo model. */
	private boolean enabled;

	/** Where the demo model is written. */
	private Path file = Path.of("data", "demo", "llcuda-demo.gguf");

	/**
	 * Where the demo embedding model (a small bert encoder, random weights) is written.
	 */
	private Path embeddingFile = Path.of("data", "demo", "llcuda-demo-embedding.gguf");

	/** The folder of short text files the demo writes for {@code POST /api/rag}. */
	private Path documents = Path.of("data", "demo", "documents");

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Path getFile() {
		return this.file;
	}

	public void setFile(Path file) {
		this.file = file;
	}

	public Path getEmbeddingFile() {
		return this.embeddingFile;
	}

	public void setEmbeddingFile(Path embeddingFile) {
		this.embeddingFile = embeddingFile;
	}

	public Path getDocuments() {
		return this.documents;
	}

	public void setDocuments(Path documents) {
		this.documents = documents;
	}

}
