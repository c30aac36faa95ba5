package dev.llcuda.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;

/** What a served model does: generate text (chat) or embed it. */
public enum ModelKind {

	CHAT, EMBEDDING;

	/**
	 * The kind of the model in {@code path}, from its architecture: encoders (bert,
	 * nomic-bert) embed, every other architecture chats; a Hugging Face model directory
	 * chats (only decoders convert).
	 * @throws UncheckedIOException naming the file when it cannot be read or is not a
	 * model llcuda runs
	 */
	public static ModelKind of(Path path) {
		if (Files.isDirectory(path)) {
			return CHAT;
		}
		try (GgufFile gguf = GgufFile.open(path)) {
			return ModelSpec.from(gguf).architecture().encoder() ? EMBEDDING : CHAT;
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read the model " + path + ": " + e.getMessage(), e);
		}
	}

	/** How a message names the kind: "chat" or "embedding". */
	public String label() {
		return this == CHAT ? "chat" : "embedding";
	}

	/** The kind with its article, for a message: "a chat" or "an embedding". */
	public String withArticle() {
		return this == CHAT ? "a chat" : "an embedding";
	}

}
