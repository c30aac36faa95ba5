package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryBootstrapTests {

	@TempDir
	Path cache;

	@Test
	void extractsTheBundledLibraryIntoAFolderNamedByVersionAndDigestVerifiesAndLoadsIt() throws IOException {
		NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.defaults().withCacheDirectory(cache));

		String sha256 = BundledLibrary.sha256();
		assertEquals(sha256, library.sha256());
		assertEquals(sha256, Sha256.of(library.path()));
		assertEquals(cache.resolve("dev-" + sha256.substring(0, 16)).resolve("libllcuda.so"), library.path());
		assertEquals(LlcudaLibrary.ABI_VERSION, library.abiVersion());
		assertTrue(library.buildInfo().startsWith("llcuda "), library.buildInfo());
		assertEquals(List.of(library.path()), filesUnder(cache));
	}

	@Test
	void reusesAnIntactCachedLibraryWithoutRewritingIt() throws IOException {
		Path first = NativeLibrary.load(NativeLibraryOptions.defaults().withCacheDirectory(cache)).path();
		var written = Files.getLastModifiedTime(first);
		Files.setLastModifiedTime(first, java.nio.file.attribute.FileTime.fromMillis(written.toMillis() - 60_000));

		Path second = NativeLibrary.load(NativeLibraryOptions.defaults().withCacheDirectory(cache)).path();

		assertEquals(first, second);
		assertEquals(written.toMillis() - 60_000, Files.getLastModifiedTime(second).toMillis());
	}

	@Test
	void refusesATamperedCachedLibraryNamingTheFileAndBothDigests() throws IOException {
		Path extracted = NativeLibrary.load(NativeLibraryOptions.defaults().withCacheDirectory(cache)).path();
		Files.write(extracted, new byte[] { 0x7f }, StandardOpenOption.APPEND);
		String tampered = Sha256.of(extracted);

		ChecksumMismatchException refused = assertThrows(ChecksumMismatchException.class,
				() -> NativeLibrary.load(NativeLibraryOptions.defaults().withCacheDirectory(cache)));

		assertEquals(extracted.toString(), refused.file());
		assertEquals(BundledLibrary.sha256(), refused.expected());
		assertEquals(tampered, refused.actual());
		assertTrue(refused.getMessage().contains(extracted.toString()), refused.getMessage());
		assertTrue(refused.getMessage().contains(BundledLibrary.sha256()), refused.getMessage());
		assertTrue(refused.getMessage().contains(tampered), refused.getMessage());
	}

	@Test
	void threadsStartingTogetherShareOneCompleteExtractedFile() throws Exception {
		int threads = 8;
		CyclicBarrier start = new CyclicBarrier(threads);
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<NativeLibrary>> loads = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				loads.add(pool.submit(() -> {
					start.await();
					return NativeLibrary.load(NativeLibraryOptions.defaults().withCacheDirectory(cache));
				}));
			}
			for (Future<NativeLibrary> load : loads) {
				assertEquals(BundledLibrary.sha256(), load.get(60, TimeUnit.SECONDS).sha256());
			}
		}
		finally {
			pool.shutdownNow();
		}
		List<Path> files = filesUnder(cache);
		assertEquals(1, files.size(), files.toString());
		assertEquals(BundledLibrary.sha256(), Sha256.of(files.get(0)));
	}

	@Test
	void jvmsStartingTogetherShareOneCompleteExtractedFile(@TempDir Path signals) throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		Path start = signals.resolve("start");
		List<Process> processes = new ArrayList<>();
		List<BufferedReader> outputs = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			Process process = new ProcessBuilder(java, "-Xmx64m", "-cp", classpath, LibraryLoadProbe.class.getName(),
					cache.toString(), start.toString())
				.redirectErrorStream(true)
				.start();
			processes.add(process);
			outputs.add(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
		}
		for (BufferedReader output : outputs) {
			assertEquals("ready", output.readLine());
		}
		Files.createFile(start);
		for (int i = 0; i < processes.size(); i++) {
			String output = outputs.get(i).lines().collect(Collectors.joining("\n"));
			assertTrue(processes.get(i).waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
			assertEquals(0, processes.get(i).exitValue(), output);
			assertTrue(output.contains(BundledLibrary.sha256() + " abi=" + LlcudaLibrary.ABI_VERSION), output);
		}
		List<Path> files = filesUnder(cache);
		assertEquals(1, files.size(), files.toString());
		assertEquals(BundledLibrary.sha256(), Sha256.of(files.get(0)));
	}

	@Test
	void loadsAUsersOwnBuildInPlaceWhenItsChecksumMatches(@TempDir Path build) throws IOException {
		Path own = Files.write(build.resolve("libllcuda-custom.so"), BundledLibrary.bytes());

		NativeLibrary library = NativeLibrary.load(
				NativeLibraryOptions.defaults().withCacheDirectory(cache).withLocalBuild(own, BundledLibrary.sha256()));

		assertEquals(own.toAbsolutePath(), library.path());
		assertEquals(BundledLibrary.sha256(), library.sha256());
		assertEquals(List.of(), filesUnder(cache));
	}

	@Test
	void refusesAUsersOwnBuildWhoseChecksumDiffers(@TempDir Path build) throws IOException {
		Path own = Files.write(build.resolve("libllcuda-custom.so"), BundledLibrary.bytes());
		String expected = "0".repeat(64);

		ChecksumMismatchException refused = assertThrows(ChecksumMismatchException.class, () -> NativeLibrary
			.load(NativeLibraryOptions.defaults().withCacheDirectory(cache).withLocalBuild(own, expected)));

		assertEquals(own.toAbsolutePath().toString(), refused.file());
		assertEquals(expected, refused.expected());
		assertEquals(BundledLibrary.sha256(), refused.actual());
	}

	@Test
	void reportsAVerifiedFileThatIsNoLoadableLibraryWithItsPath(@TempDir Path build) throws IOException {
		Path notALibrary = Files.writeString(build.resolve("libllcuda.so"), "not an ELF file");

		NativeLibraryException refused = assertThrows(NativeLibraryException.class, () -> NativeLibrary
			.load(NativeLibraryOptions.defaults().withLocalBuild(notALibrary, Sha256.of(notALibrary))));

		assertTrue(refused.getMessage().startsWith("cannot load the native library " + notALibrary.toAbsolutePath()),
				refused.getMessage());
	}

	@Test
	void refusesALibraryOfAnotherAbiVersion(@TempDir Path build) throws Exception {
		Path source = Files.writeString(build.resolve("other_abi.c"),
				"int llcuda_abi_version(void) { return " + (LlcudaLibrary.ABI_VERSION + 1) + "; }\n");
		Path library = build.resolve("libllcuda-other-abi.so");
		Process compiler = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", library.toString(), source.toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(compiler.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertEquals(0, compiler.waitFor(), output);

		NativeLibraryException refused = assertThrows(NativeLibraryException.class,
				() -> NativeLibrary.load(NativeLibraryOptions.defaults().withLocalBuild(library, Sha256.of(library))));

		assertEquals("native library " + library.toAbsolutePath() + " has ABI version "
				+ (LlcudaLibrary.ABI_VERSION + 1) + " but this llcuda-native expects " + LlcudaLibrary.ABI_VERSION,
				refused.getMessage());
	}

	@Test
	void refusesAnExpectedChecksumThatIsNotAHexDigest() {
		IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
				() -> NativeLibraryOptions.defaults().withLocalBuild(Path.of("libllcuda.so"), "abc123"));
		assertTrue(refused.getMessage().contains("'abc123'"), refused.getMessage());
	}

	@Test
	void downloadsVerifiesCachesAndLoadsALibraryFromAUrl() throws IOException {
		HttpServer server = serveLibrary();
		try {
			URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/libllcuda.so");
			NativeLibraryOptions options = NativeLibraryOptions.defaults()
				.withCacheDirectory(cache)
				.withDownload(url, BundledLibrary.sha256());

			NativeLibrary library = NativeLibrary.load(options);

			assertEquals(cache.resolve("download-" + BundledLibrary.sha256().substring(0, 16)).resolve("libllcuda.so"),
					library.path());
			assertEquals(BundledLibrary.sha256(), library.sha256());
			server.stop(0);
			assertEquals(library.path(), NativeLibrary.load(options).path(), "the second start needs no server");
		}
		finally {
			server.stop(0);
		}
	}

	@Test
	void refusesADownloadWhoseChecksumDiffersAndKeepsNothingOfIt() throws IOException {
		HttpServer server = serveLibrary();
		try {
			String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/libllcuda.so";
			String expected = "f".repeat(64);

			ChecksumMismatchException refused = assertThrows(ChecksumMismatchException.class, () -> NativeLibrary.load(
					NativeLibraryOptions.defaults().withCacheDirectory(cache).withDownload(URI.create(url), expected)));

			assertEquals(url, refused.file());
			assertEquals(expected, refused.expected());
			assertEquals(BundledLibrary.sha256(), refused.actual());
			assertEquals(List.of(), filesUnder(cache));
		}
		finally {
			server.stop(0);
		}
	}

	@Test
	void reportsAMissingDownloadWithItsUrlAndHttpStatus() throws IOException {
		HttpServer server = serveLibrary();
		try {
			String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/missing/libllcuda.so";

			NativeLibraryException refused = assertThrows(NativeLibraryException.class,
					() -> NativeLibrary.load(NativeLibraryOptions.defaults()
						.withCacheDirectory(cache)
						.withDownload(URI.create(url), BundledLibrary.sha256())));

			assertTrue(refused.getMessage().contains(url + " failed: HTTP 404"), refused.getMessage());
			assertEquals(List.of(), filesUnder(cache));
		}
		finally {
			server.stop(0);
		}
	}

	private static HttpServer serveLibrary() throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		byte[] library = BundledLibrary.bytes();
		server.createContext("/", exchange -> {
			boolean found = exchange.getRequestURI().getPath().equals("/libllcuda.so");
			exchange.sendResponseHeaders(found ? 200 : 404, found ? library.length : -1);
			try (OutputStream body = exchange.getResponseBody()) {
				if (found) {
					body.write(library);
				}
			}
		});
		server.start();
		return server;
	}

	private static List<Path> filesUnder(Path folder) throws IOException {
		try (Stream<Path> files = Files.walk(folder)) {
			return files.filter(Files::isRegularFile).sorted().toList();
		}
	}

}
