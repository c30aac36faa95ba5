package dev.llcuda.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The library and digest the build put on the test classpath. */
final class BundledLibrary {

	private BundledLibrary() {
	}

	static byte[] bytes() {
		return read(LibraryInstaller.LIBRARY_FILE);
	}

	static String sha256() {
		return new String(read(LibraryInstaller.LIBRARY_FILE + ".sha256"), StandardCharsets.US_ASCII).strip();
	}

	private static byte[] read(String name) {
		try (InputStream in = BundledLibrary.class.getResourceAsStream(LibraryInstaller.RESOURCE_FOLDER + name)) {
			if (in == null) {
				throw new IllegalStateException("no " + name + " on the test classpath: build the native library");
			}
			return in.readAllBytes();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
