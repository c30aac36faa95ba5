package dev.llcuda.tokenizer;

/**
 * What llama.cpp assumes for a tokenizer model when the metadata is silent: special token
 * ids (-1 for none) and whether BOS, EOS and a leading space are added.
 */
record ModelDefaults(int bos, int eos, int unknown, int separator, boolean addBos, boolean addEos,
		boolean addSpacePrefix) {

	static final ModelDefaults SENTENCE_PIECE = new ModelDefaults(1, 2, 0, -1, true, false, true);
	static final ModelDefaults BYTE_PAIR = new ModelDefaults(11, 11, -1, -1, false, false, false);

	/** Llama 3 style byte-level vocabularies add BOS by default. */
	static final ModelDefaults BYTE_PAIR_WITH_BOS = new ModelDefaults(11, 11, -1, -1, true, false, false);
	static final ModelDefaults WORD_PIECE = new ModelDefaults(101, -1, 100, 102, true, false, false);

}
