package dev.llcuda.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a {@link LibrarySource} into a local file whose SHA-256 has just been verified.
 */
final class LibraryInstaller {

	static final String PLATFORM = "linux-x86_64";
	static final String RESOURCE_FOLDER = "/dev/llcuda/nativelib/" + PLATFORM + "/";
	static final String LIBRARY_FILE = "libllcuda.so";

	/** Digest characters in a cache folder's name: enough to tell builds apart. */
	private static final int DIGEST_PREFIX = 16;

	private LibraryInstaller() {
	}

	static VerifiedLibrary install(NativeLibraryOptions options) {
		LibrarySource source = options.source();
		try {
			CacheFile file;
			if (source instanceof LibrarySource.LocalBuild local) {
				if (!Files.isRegularFile(local.path())) {
					throw new NativeLibraryException("native library override " + local.path() + " is not a file");
				}
				file = new CacheFile(local.path().toAbsolutePath(), local.sha256());
			}
			else if (source instanceof LibrarySource.Download download) {
				file = new CacheFile(folder(options, "download", download.sha256()).resolve(LIBRARY_FILE),
						download.sha256());
				file.placeIfAbsent(download.url().toString(), out -> LibraryDownloader.download(download.url(), out));
			}
			else {
				String sha256 = bundledDigest();
				file = new CacheFile(folder(options, bundleVersion(), sha256).resolve(LIBRARY_FILE), sha256);
				file.placeIfAbsent("classpath:" + RESOURCE_FOLDER + LIBRARY_FILE, out -> {
					try (InputStream in = resource(LIBRARY_FILE)) {
						in.transferTo(out);
					}
				});
			}
			return new VerifiedLibrary(file.path(), file.verify());
		}
		catch (IOException e) {
			throw new NativeLibraryException("cannot install the native library from " + describe(source) + " into "
					+ options.cacheDirectory() + ": " + e, e);
		}
	}

	private static Path folder(NativeLibraryOptions options, String prefix, String sha256) {
		return options.cacheDirectory().resolve(prefix + "-" + sha256.substring(0, DIGEST_PREFIX));
	}

	private static String bundledDigest() throws IOException {
		requireBundledPlatform();
		try (InputStream in = resource(LIBRARY_FILE + ".sha256")) {
			String text = new String(in.readNBytes(256), StandardCharsets.US_ASCII).strip();
			return Sha256.requireValid(text.split("\\s+")[0],
					"classpath:" + RESOURCE_FOLDER + LIBRARY_FILE + ".sha256");
		}
	}

	private static void requireBundledPlatform() {
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
			throw new NativeLibraryException("llcuda bundles a native library for " + PLATFORM + " only, not " + os
					+ "-" + arch + "; build libllcuda yourself and set a library path with its SHA-256");
		}
	}

	private static InputStream resource(String name) throws IOException {
		InputStream in = LibraryInstaller.class.getResourceAsStream(RESOURCE_FOLDER + name);
		if (in == null) {
			throw new NoSuchFileException("classpath:" + RESOURCE_FOLDER + name
					+ " (this llcuda-native build has no native library; was it built with -Dllcuda.native.skip?)");
		}
		return in;
	}

	/**
	 * The llcuda-native version from the jar manifest; "dev" when running from a build
	 * folder.
	 */
	private static String bundleVersion() {
		String version = LibraryInstaller.class.getPackage().getImplementationVersion();
		return version == null ? "dev" : version;
	}

	private static String describe(LibrarySource source) {
		if (source instanceof LibrarySource.LocalBuild local) {
			return local.path().toString();
		}
		if (source instanceof LibrarySource.Download download) {
			return download.url().toString();
		}
		return "classpath:" + RESOURCE_FOLDER + LIBRARY_FILE;
	}

	/** A library file and the digest it had when it was checked, just before loading. */
	record VerifiedLibrary(Path path, String sha256) {
	}

}
