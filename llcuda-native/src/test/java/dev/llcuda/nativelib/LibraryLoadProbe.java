package dev.llcuda.nativelib;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in child JVMs by {@link NativeLibraryBootstrapTests}: says "ready", waits until the
 * start file exists (so that all probes load at the same moment), loads the bundled
 * library from the cache folder and prints the loaded path and digest.
 */
public final class LibraryLoadProbe {

	private static final long MAX_WAIT_MILLIS = 60_000;

	private LibraryLoadProbe() {
	}

	public static void main(String[] args) throws InterruptedException {
		Path cache = Path.of(args[0]);
		Path start = Path.of(args[1]);
		System.out.println("ready");
		System.out.flush();
		long deadline = System.currentTimeMillis() + MAX_WAIT_MILLIS;
		while (!Files.exists(start) && System.currentTimeMillis() < deadline) {
			Thread.sleep(1);
		}
		NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.defaults().withCacheDirectory(cache));
		System.out.println(library.path() + " " + library.sha256() + " abi=" + library.abiVersion());
	}

}
