package dev.llcuda.tokenizer;

import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.GgufMetadata;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Turns text into token ids and back, exactly as llama.cpp does for the same GGUF
 * vocabulary. Implementations are immutable and safe to share between threads.
 */
public interface Tokenizer {

	/**
	 * The tokenizer of a GGUF file's {@code tokenizer.ggml.*} metadata.
	 * @throws GgufFormatException if the tokenizer data is missing or malformed, or its
	 * model or pre-tokenizer is not supported
	 */
	static Tokenizer fromGguf(GgufMetadata metadata) throws GgufFormatException {
		Vocabulary vocabulary = Vocabulary.fromGguf(metadata);
		try {
			return of(vocabulary);
		}
		catch (IllegalArgumentException e) {
			throw new GgufFormatException(metadata.path(),
					metadata.offset("tokenizer.ggml.model").orElse(GgufFormatException.NO_OFFSET), e.getMessage());
		}
	}

	/**
	 * The tokenizer for {@code vocabulary.model()}: {@code llama}, {@code gpt2} or
	 * {@code bert}.
	 */
	static Tokenizer of(Vocabulary vocabulary) {
		return switch (vocabulary.model()) {
			case "llama" -> new SentencePieceTokenizer(vocabulary);
			case "gpt2" -> new BytePairTokenizer(vocabulary);
			case "bert" -> new WordPieceTokenizer(vocabulary);
			default -> throw new IllegalArgumentException("unsupported tokenizer model '" + vocabulary.model()
					+ "' (tokenizer.ggml.model); supported: llama, gpt2, bert");
		};
	}

	/**
	 * Token ids of {@code text}.
	 * @param addSpecial add BOS (and EOS) where the vocabulary's metadata asks for them;
	 * WordPiece adds its CLS and SEP tokens
	 * @param parseSpecial recognise control tokens written in the text (such as
	 * {@code <|eot_id|>}); user-defined tokens are always recognised, as in llama.cpp
	 */
	int[] encode(String text, boolean addSpecial, boolean parseSpecial);

	/**
	 * Marks the caller's text (a message's content, a tool's result: anything a user may
	 * have written) so that {@link #encodePrompt} tokenizes the control-token spellings
	 * in it, such as {@code <|im_start|>}, as plain text: only the chat template's own
	 * markup then becomes control tokens, and a user cannot spoof roles. Text without
	 * such spellings comes back unchanged; otherwise U+FDD0, a Unicode noncharacter, goes
	 * before each (and doubles where the text had one).
	 */
	String quote(String text);

	/**
	 * Token ids of a rendered chat prompt whose caller text went through {@link #quote}:
	 * control tokens are parsed in the template's markup, quoted text is tokenized
	 * exactly as the plain text it was, without the marks (as by
	 * {@code encode(text, addSpecial, false)}).
	 */
	int[] encodePrompt(String prompt, boolean addSpecial);

	/**
	 * The text of {@code ids}. Control and unknown tokens (BOS, EOS, end-of-turn, ...)
	 * render as nothing, as llama.cpp renders generated text; user-defined tokens render
	 * as their text; byte tokens as their byte. SentencePiece space marks (U+2581) become
	 * spaces, also where byte tokens spell them, and the single space a SentencePiece
	 * vocabulary prefixes to the text is removed, so
	 * {@code decode(encode(s, addSpecial, false))} gives back {@code s}; for the same
	 * reason llama.cpp's clean-up of spaces before punctuation (BPE's
	 * {@code clean_spaces}) is not applied. Bytes that do not form valid UTF-8 become
	 * U+FFFD.
	 */
	String decode(int[] ids);

	/**
	 * A decoder for generated tokens, one at a time; it never splits a UTF-8 character
	 * and never removes a leading space.
	 */
	StreamingDecoder streamingDecoder();

	int vocabSize();

	/**
	 * The bytes token {@code id} adds to generated text (SentencePiece space marks as
	 * spaces; control tokens none), as {@link #streamingDecoder()} emits them; a fresh
	 * copy.
	 */
	byte[] tokenBytes(int id);

	/** The vocabulary's spelling of token {@code id}. */
	String tokenText(int id);

	/** Whether the vocabulary has a token spelled exactly {@code text}. */
	boolean hasToken(String text);

	OptionalInt bos();

	OptionalInt eos();

	/**
	 * Tokens that end generation: EOS, end-of-turn and end-of-message tokens from
	 * metadata and token texts.
	 */
	Set<Integer> endOfGenerationIds();

	/** Whether {@link #encode} with {@code addSpecial} starts with BOS. */
	boolean addBos();

}
