package dev.llcuda.gguf;

/**
 * Bounds on the header of a GGUF file beyond "it fits in the file": a file is untrusted,
 * and a header that is all counts and lengths could otherwise make the reader build
 * millions of objects or strings of gigabytes. Each bound is far above what real model
 * files use.
 */
enum GgufLimit {

	/** Tensors of one file: the largest models have a few thousand. */
	MAX_TENSORS(1 << 16),
	/** Metadata key-value pairs: real files have fewer than a hundred. */
	MAX_METADATA_KV(1 << 16),
	/** Bytes of a metadata key: the specification's bound (2^16 - 1). */
	MAX_KEY_BYTES((1 << 16) - 1),
	/** Bytes of a tensor name: the specification's bound (ggml's GGML_MAX_NAME). */
	MAX_TENSOR_NAME_BYTES(64),
	/**
	 * Bytes of one string value: the longest in real files are chat templates of tens of
	 * KB.
	 */
	MAX_STRING_BYTES(1 << 24),
	/**
	 * Elements of one array: the longest in real files are vocabularies and merges of a
	 * few 100,000.
	 */
	MAX_ARRAY_LENGTH(1 << 24),
	/**
	 * Arrays nested inside other arrays, all together: real files nest none or a handful.
	 */
	MAX_NESTED_ARRAYS(1 << 16),
	/**
	 * Bytes of the whole metadata section: real files have a few MB, most of it the
	 * vocabulary.
	 */
	MAX_METADATA_BYTES(1 << 28);

	private final long value;

	GgufLimit(long value) {
		this.value = value;
	}

	long value() {
		return value;
	}

	/**
	 * Fails for a {@code what} of {@code actual} at {@code offset} when it exceeds this
	 * bound.
	 */
	void check(long actual, long offset, String what, HeaderReader in) throws GgufFormatException {
		if (actual > value) {
			throw in.error(offset, what + " " + actual + " is more than the limit " + name() + " = " + value);
		}
	}

}
