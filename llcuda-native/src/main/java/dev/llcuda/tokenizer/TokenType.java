package dev.llcuda.tokenizer;

/** The token types of {@code tokenizer.ggml.token_type} (SentencePiece's piece types). */
public enum TokenType {

	UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

	/**
	 * The type stored as {@code code} in GGUF; unknown codes read as {@link #UNDEFINED},
	 * as llama.cpp does.
	 */
	public static TokenType fromCode(int code) {
		TokenType[] all = values();
		return code >= 0 && code < all.length ? all[code] : UNDEFINED;
	}

	/** The code of this type in GGUF, the inverse of {@link #fromCode(int)}. */
	public int code() {
		return ordinal();
	}

	/**
	 * Control and unknown tokens are matched in text only when special tokens are parsed
	 * and are not rendered.
	 */
	boolean isSpecial() {
		return this == CONTROL || this == UNKNOWN;
	}

}
