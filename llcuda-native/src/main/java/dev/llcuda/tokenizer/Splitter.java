package dev.llcuda.tokenizer;

/**
 * One pre-tokenizer step: splits {@code text[start, end)} into consecutive words that
 * cover it completely (text that no rule matches becomes words of its own, as in
 * llama.cpp).
 */
interface Splitter {

	/**
	 * Appends the end offset of each word of {@code text[start, end)} to
	 * {@code wordEnds}.
	 */
	void split(String text, int start, int end, IntList wordEnds);

}
