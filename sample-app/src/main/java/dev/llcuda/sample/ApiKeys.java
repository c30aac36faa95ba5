package dev.llcuda.sample;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;

/**
 * The configured API and admin keys, kept only as SHA-256 digests. A presented key is
 * digested and compared with every configured digest by {@link MessageDigest#isEqual}
 * (constant time), without stopping at a match, so neither the time nor the length of the
 * key tells how close a guess was.
 */
final class ApiKeys {

	/** Shortest key accepted in configuration. */
	static final int MIN_LENGTH = 16;

	/** Role of API keys. */
	static final String API = "API";

	/** Role of admin keys. */
	static final String ADMIN = "ADMIN";

	private static final String DIGEST_PREFIX = "sha256:";

	private static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{64}");

	/** One configured key: a name for logs (never the key), its digest and its roles. */
	record Key(String name, byte[] digest, List<GrantedAuthority> authorities) {
	}

	private final List<Key> keys;

	private final boolean hasApiKeys;

	private ApiKeys(List<Key> keys, boolean hasApiKeys) {
		this.keys = keys;
		this.hasApiKeys = hasApiKeys;
	}

	/**
	 * @throws IllegalArgumentException naming the property and position of a key too
	 * short, with white space, or a malformed digest
	 */
	static ApiKeys of(SecuritySettings settings) {
		List<Key> keys = new ArrayList<>();
		add(keys, settings.getApiKeys(), "api-keys", AuthorityUtils.createAuthorityList("ROLE_" + API));
		add(keys, settings.getAdminKeys(), "admin-keys",
				AuthorityUtils.createAuthorityList("ROLE_" + API, "ROLE_" + ADMIN));
		return new ApiKeys(List.copyOf(keys), !settings.getApiKeys().isEmpty());
	}

	private static void add(List<Key> keys, List<String> configured, String property,
			List<GrantedAuthority> authorities) {
		for (int i = 0; i < configured.size(); i++) {
			String where = "llcuda.security." + property + "[" + i + "]";
			keys.add(new Key(property.replace("-keys", "-key-") + (i + 1), digestOf(configured.get(i), where),
					authorities));
		}
	}

	private static byte[] digestOf(@Nullable String configured, String where) {
		String entry = configured != null ? configured.strip() : "";
		if (entry.startsWith(DIGEST_PREFIX)) {
			String hex = entry.substring(DIGEST_PREFIX.length());
			if (!DIGEST.matcher(hex).matches()) {
				throw new IllegalArgumentException(where + " must be sha256: followed by 64 hex digits");
			}
			return HexFormat.of().parseHex(hex.toLowerCase());
		}
		if (entry.length() < MIN_LENGTH || entry.chars().anyMatch(Character::isWhitespace)) {
			throw new IllegalArgumentException(where + " must have at least " + MIN_LENGTH
					+ " characters and no white space (or be sha256: and the key's hex SHA-256)");
		}
		return sha256(entry);
	}

	/** Whether API keys (not only admin keys) are configured. */
	boolean hasApiKeys() {
		return this.hasApiKeys;
	}

	boolean isEmpty() {
		return this.keys.isEmpty();
	}

	/** The configured key equal to {@code presented}, compared in constant time. */
	Optional<Key> match(String presented) {
		byte[] digest = sha256(presented);
		Key found = null;
		for (Key key : this.keys) {
			if (MessageDigest.isEqual(key.digest(), digest) && found == null) {
				found = key;
			}
		}
		return Optional.ofNullable(found);
	}

	static byte[] sha256(String key) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("the JVM has no SHA-256", e);
		}
	}

}
