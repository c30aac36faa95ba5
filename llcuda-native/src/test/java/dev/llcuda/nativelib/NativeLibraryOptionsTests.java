package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The overrides the CLI takes as system properties. */
class NativeLibraryOptionsTests {

	private static final String SHA256 = "ab".repeat(32);

	private static final List<String> PROPERTIES = List.of(NativeLibraryOptions.CACHE_PROPERTY,
			NativeLibraryOptions.PATH_PROPERTY, NativeLibraryOptions.URL_PROPERTY,
			NativeLibraryOptions.SHA256_PROPERTY);

	@AfterEach
	void clearProperties() {
		PROPERTIES.forEach(System::clearProperty);
	}

	@Test
	void withoutPropertiesTheBundledLibraryIsExtractedUnderTheUsersCache() {
		NativeLibraryOptions options = NativeLibraryOptions.fromSystemProperties();

		assertEquals(new LibrarySource.Bundled(), options.source());
		assertEquals(Path.of(System.getProperty("user.home"), ".cache", "llcuda"), options.cacheDirectory());
	}

	@Test
	void aLibraryPathWithItsDigestSelectsTheUsersBuild() {
		System.setProperty(NativeLibraryOptions.PATH_PROPERTY, "/opt/llcuda/libllcuda.so");
		System.setProperty(NativeLibraryOptions.SHA256_PROPERTY, SHA256.toUpperCase());
		System.setProperty(NativeLibraryOptions.CACHE_PROPERTY, "/var/cache/llcuda");

		NativeLibraryOptions options = NativeLibraryOptions.fromSystemProperties();

		assertEquals(new LibrarySource.LocalBuild(Path.of("/opt/llcuda/libllcuda.so"), SHA256), options.source());
		assertEquals(Path.of("/var/cache/llcuda"), options.cacheDirectory());
	}

	@Test
	void aUrlWithItsDigestSelectsADownload() {
		System.setProperty(NativeLibraryOptions.URL_PROPERTY, "https://mirror.example/libllcuda.so");
		System.setProperty(NativeLibraryOptions.SHA256_PROPERTY, SHA256);

		assertEquals(new LibrarySource.Download(URI.create("https://mirror.example/libllcuda.so"), SHA256),
				NativeLibraryOptions.fromSystemProperties().source());
	}

	@Test
	void anOverrideWithoutItsDigestIsRefusedNamingTheMissingProperty() {
		System.setProperty(NativeLibraryOptions.PATH_PROPERTY, "/opt/llcuda/libllcuda.so");

		IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
				NativeLibraryOptions::fromSystemProperties);

		assertEquals("llcuda.native.sha256 is required with llcuda.native.path", refused.getMessage());
	}

	@Test
	void aPathAndAUrlTogetherAreRefused() {
		System.setProperty(NativeLibraryOptions.PATH_PROPERTY, "/opt/llcuda/libllcuda.so");
		System.setProperty(NativeLibraryOptions.URL_PROPERTY, "https://mirror.example/libllcuda.so");
		System.setProperty(NativeLibraryOptions.SHA256_PROPERTY, SHA256);

		IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
				NativeLibraryOptions::fromSystemProperties);

		assertEquals("set either llcuda.native.path or llcuda.native.url, not both", refused.getMessage());
	}

	@Test
	void aDownloadMustUseHttp() {
		IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
				() -> NativeLibraryOptions.defaults().withDownload(URI.create("file:///tmp/libllcuda.so"), SHA256));

		assertEquals("native library URL must be http or https: file:///tmp/libllcuda.so", refused.getMessage());
	}

}
