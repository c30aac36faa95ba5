package dev.llcuda.nativelib;

import java.nio.file.Path;

/**
 * Run in child JVMs by {@link NativeLibraryBootstrapTests}: loads the bundled library from the
 * cache folder given as argument and prints the loaded path and digest.
 */
public final class LibraryLoadProbe {

    private LibraryLoadProbe() {
    }

    public static void main(String[] args) {
        NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.defaults().withCacheDirectory(Path.of(args[0])));
        System.out.println(library.path() + " " + library.sha256() + " abi=" + library.abiVersion());
    }
}
