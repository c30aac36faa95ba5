package dev.llcuda.tokenizer;

import java.util.OptionalInt;

/**
 * The special token ids a vocabulary declares in metadata
 * ({@code tokenizer.ggml.bos_token_id} etc.); empty where the metadata says nothing.
 */
public record SpecialTokenIds(OptionalInt bos, OptionalInt eos, OptionalInt unknown, OptionalInt separator,
		OptionalInt padding, OptionalInt endOfTurn, OptionalInt endOfMessage) {

	public static final SpecialTokenIds NONE = new SpecialTokenIds(OptionalInt.empty(), OptionalInt.empty(),
			OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());

}
