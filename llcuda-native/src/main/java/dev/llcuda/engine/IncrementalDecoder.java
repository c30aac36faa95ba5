package dev.llcuda.engine;

/**
 * Turns one sequence's generated tokens into text as they come, holding back the bytes of
 * an incomplete UTF-8 character (the tokenizer's {@code StreamingDecoder} has this
 * shape).
 */
public interface IncrementalDecoder {

	/** Text completed by this token; empty while a character is incomplete. */
	String push(int tokenId);

	/** Whatever is still held back, at the end of generation. */
	String flush();

}
