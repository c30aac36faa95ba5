package dev.llcuda.nativelib;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where the native library comes from; every source is checked against a SHA-256 before
 * loading.
 */
public sealed interface LibrarySource {

	/**
	 * The library inside the llcuda-native jar, with the digest the build recorded beside
	 * it.
	 */
	record Bundled() implements LibrarySource {
	}

	/** A user's own build, loaded in place after its digest matched {@code sha256}. */
	record LocalBuild(Path path, String sha256) implements LibrarySource {
		public LocalBuild {
			sha256 = Sha256.requireValid(sha256, "the expected SHA-256 of " + path);
		}
	}

	/**
	 * A library hosted elsewhere (e.g. an internal mirror), downloaded once into the
	 * cache.
	 */
	record Download(URI url, String sha256) implements LibrarySource {
		public Download {
			String scheme = url.getScheme();
			if (!"http".equals(scheme) && !"https".equals(scheme)) {
				throw new IllegalArgumentException("native library URL must be http or https: " + url);
			}
			sha256 = Sha256.requireValid(sha256, "the expected SHA-256 of " + url);
		}
	}

}
