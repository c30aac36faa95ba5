package dev.llcuda.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Identity of one full KV block's content: a hash chain over the token ids of the block
 * and the hash of the block before it, so equal hashes mean equal whole prefixes, not
 * just equal blocks. 128 bits of SHA-256 make accidental collisions negligible (a
 * collision would hand a request another prompt's keys and values, so a weak hash is not
 * acceptable here).
 */
record BlockHash(long high, long low) {

	/** The parent of a sequence's first block. */
	static final BlockHash ROOT = new BlockHash(0, 0);

	/**
	 * The parent of the first block of a sequence run with the LoRA adapters
	 * {@code adapters} (its keys and values differ from the base model's, and with other
	 * adapters or factors, for the same tokens); {@link #ROOT} for none.
	 */
	static BlockHash root(List<AdapterUse> adapters) {
		if (adapters.isEmpty()) {
			return ROOT;
		}
		StringBuilder key = new StringBuilder("lora");
		for (AdapterUse use : adapters) {
			key.append(':').append(use.name()).append('*').append(Float.floatToIntBits(use.scale()));
		}
		byte[] digest = sha256().digest(key.toString().getBytes(StandardCharsets.UTF_8));
		ByteBuffer d = ByteBuffer.wrap(digest);
		return new BlockHash(d.getLong(), d.getLong());
	}

	/**
	 * Hash of tokens {@code [from, to)} of {@code tokens} following the block hashed
	 * {@code parent}.
	 */
	static BlockHash of(BlockHash parent, int[] tokens, int from, int to) {
		ByteBuffer bytes = ByteBuffer.allocate(16 + 4 * (to - from));
		bytes.putLong(parent.high).putLong(parent.low);
		for (int i = from; i < to; i++) {
			bytes.putInt(tokens[i]);
		}
		byte[] digest = sha256().digest(bytes.array());
		ByteBuffer d = ByteBuffer.wrap(digest);
		return new BlockHash(d.getLong(), d.getLong());
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("the JVM lacks SHA-256, which every Java runtime must provide", e);
		}
	}
}
