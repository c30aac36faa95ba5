package dev.llcuda.engine;

import dev.llcuda.hf.PeftAdapter;
import dev.llcuda.nativelib.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Base models with LoRA adapters merged into their weights, made once: the merged GGUF
 * file lives in the cache folder under a name keyed by the SHA-256 of the base's bytes,
 * each adapter's bytes (a PEFT directory's config and weights) and the scales, in order,
 * so the next start loads it at once and a changed file is merged again.
 *
 * @param folder where merged files are kept, and nothing else
 * @param merger merges what is missing from the cache
 */
public record MergedModelCache(Path folder, AdapterMerger merger) {

	/**
	 * The GGUF file of {@code base} with {@code adapters} merged: {@code base} itself
	 * without adapters or when it is a merge of this cache already (a served model loaded
	 * again, whose adapters are in its weights), else the cached merge (made now if
	 * missing; written under a temporary name and moved into place).
	 */
	public Path resolve(Path base, List<AdapterMerger.Lora> adapters) throws IOException {
		if (adapters.isEmpty() || base.toAbsolutePath().normalize().startsWith(folder.toAbsolutePath().normalize())) {
			return base;
		}
		Path cached = folder.resolve(fileName(base, adapters));
		if (Files.isRegularFile(cached)) {
			return cached;
		}
		Files.createDirectories(folder);
		merger.merge(base, adapters, cached);
		return cached;
	}

	/** {@code <base name>-lora-<SHA-256 of base, adapters and scales>.gguf}. */
	static String fileName(Path base, List<AdapterMerger.Lora> adapters) throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
		update(digest, "base " + Sha256.of(base));
		for (AdapterMerger.Lora lora : adapters) {
			if (PeftAdapter.isPeftDirectory(lora.path())) {
				update(digest, "peft " + Sha256.of(lora.path().resolve(PeftAdapter.CONFIG)) + " "
						+ Sha256.of(lora.path().resolve(PeftAdapter.WEIGHTS)));
			}
			else {
				update(digest, "gguf " + Sha256.of(lora.path()));
			}
			update(digest, "scale " + Integer.toHexString(Float.floatToIntBits(lora.scale())));
		}
		String name = String.valueOf(base.getFileName())
			.replaceFirst("\\.gguf$", "")
			.replaceAll("[^A-Za-z0-9._-]", "_");
		return name + "-lora-" + HexFormat.of().formatHex(digest.digest()) + ".gguf";
	}

	private static void update(MessageDigest digest, String part) {
		digest.update((part + "\n").getBytes(StandardCharsets.UTF_8));
	}

}
