package dev.llcuda.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Decodes generated tokens one by one. A token may end inside a UTF-8 character
 * (byte-fallback and byte-level tokens carry single bytes); those bytes are held back
 * until the character is complete, so every returned piece is whole text. Not
 * thread-safe: one decoder per sequence.
 */
public final class StreamingDecoder {

	private final BaseTokenizer tokenizer;

	private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

	StreamingDecoder(BaseTokenizer tokenizer) {
		this.tokenizer = tokenizer;
	}

	/**
	 * The text completed by token {@code id}; empty while a character is still
	 * incomplete.
	 */
	public String push(int id) {
		pending.writeBytes(tokenizer.piece(id));
		byte[] bytes = pending.toByteArray();
		int complete = Utf8.completePrefixLength(bytes);
		pending.reset();
		pending.write(bytes, complete, bytes.length - complete);
		return tokenizer.surface(new String(bytes, 0, complete, StandardCharsets.UTF_8));
	}

	/**
	 * The bytes still held back (an incomplete character at the end of generation) as
	 * U+FFFD.
	 */
	public String flush() {
		String rest = tokenizer.surface(pending.toString(StandardCharsets.UTF_8));
		pending.reset();
		return rest;
	}

}
