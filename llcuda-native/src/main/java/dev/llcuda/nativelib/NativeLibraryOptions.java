package dev.llcuda.nativelib;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How to find the native library: its source and the cache folder it is extracted or
 * downloaded to ({@code ~/.cache/llcuda} by default; one sub-folder per version and
 * digest).
 */
public record NativeLibraryOptions(Path cacheDirectory, LibrarySource source) {

	/**
	 * System properties {@link #fromSystemProperties()} reads (the CLI's way to
	 * override).
	 */
	public static final String CACHE_PROPERTY = "llcuda.native.cache-dir";

	public static final String PATH_PROPERTY = "llcuda.native.path";

	public static final String URL_PROPERTY = "llcuda.native.url";

	public static final String SHA256_PROPERTY = "llcuda.native.sha256";

	public static NativeLibraryOptions defaults() {
		return new NativeLibraryOptions(Path.of(System.getProperty("user.home"), ".cache", "llcuda"),
				new LibrarySource.Bundled());
	}

	/**
	 * The defaults with the overrides given as system properties: {@value #PATH_PROPERTY}
	 * or {@value #URL_PROPERTY} (each requires {@value #SHA256_PROPERTY}) and
	 * {@value #CACHE_PROPERTY}.
	 */
	public static NativeLibraryOptions fromSystemProperties() {
		NativeLibraryOptions options = defaults();
		Optional<String> cache = property(CACHE_PROPERTY);
		if (cache.isPresent()) {
			options = options.withCacheDirectory(Path.of(cache.get()));
		}
		Optional<String> path = property(PATH_PROPERTY);
		Optional<String> url = property(URL_PROPERTY);
		if (path.isPresent() && url.isPresent()) {
			throw new IllegalArgumentException("set either " + PATH_PROPERTY + " or " + URL_PROPERTY + ", not both");
		}
		if (path.isPresent() || url.isPresent()) {
			String sha256 = property(SHA256_PROPERTY).orElseThrow(() -> new IllegalArgumentException(
					SHA256_PROPERTY + " is required with " + (path.isPresent() ? PATH_PROPERTY : URL_PROPERTY)));
			options = path.isPresent() ? options.withLocalBuild(Path.of(path.get()), sha256)
					: options.withDownload(URI.create(url.get()), sha256);
		}
		return options;
	}

	public NativeLibraryOptions withCacheDirectory(Path directory) {
		return new NativeLibraryOptions(directory, source);
	}

	public NativeLibraryOptions withLocalBuild(Path library, String sha256) {
		return new NativeLibraryOptions(cacheDirectory, new LibrarySource.LocalBuild(library, sha256));
	}

	public NativeLibraryOptions withDownload(URI url, String sha256) {
		return new NativeLibraryOptions(cacheDirectory, new LibrarySource.Download(url, sha256));
	}

	private static Optional<String> property(String name) {
		return Optional.ofNullable(System.getProperty(name)).filter(value -> !value.isBlank());
	}
}
