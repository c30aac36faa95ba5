package dev.llcuda.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubDownloaderTests {

	private static final String REPO = "owner/tiny-GGUF";

	private static final HubFile FILE = new HubFile(REPO, "tiny-Q8_0.gguf", "main");

	@TempDir
	Path temp;

	private TestHub hub;

	private byte[] content;

	private String sha256;

	private final List<DownloadProgress> progress = new CopyOnWriteArrayList<>();

	@BeforeEach
	void startHub() throws Exception {
		this.hub = new TestHub();
		this.content = new byte[3 * 1024 * 1024 + 17];
		new Random().nextBytes(this.content);
		this.sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(this.content));
	}

	@AfterEach
	void stopHub() {
		this.hub.close();
	}

	private HubDownloader downloader(String token) {
		return new HubDownloader(this.hub.url(), token, Duration.ofMillis(10), HubDownloader.DEFAULT_READ_TIMEOUT);
	}

	private String download(HubDownloader downloader, HubFile file) throws Exception {
		return downloader.download(file, this.temp.resolve(file.localName()), this.progress::add, () -> false);
	}

	@Test
	void followsTheRedirectChecksThePublishedDigestAndReportsProgress() throws Exception {
		this.hub.lfs(REPO, FILE.file(), this.content, this.sha256);
		assertEquals(this.sha256, download(downloader(null), FILE));
		assertArrayEquals(this.content, Files.readAllBytes(this.temp.resolve("tiny-Q8_0.gguf")));
		assertFalse(Files.exists(this.temp.resolve("tiny-Q8_0.gguf.part")));
		assertEquals(List.of("GET /owner/tiny-GGUF/resolve/main/tiny-Q8_0.gguf",
				"GET /storage/owner/tiny-GGUF/resolve/main/tiny-Q8_0.gguf"), this.hub.requests());
		DownloadProgress last = this.progress.get(this.progress.size() - 1);
		assertEquals(this.content.length, last.bytes());
		assertEquals(this.content.length, last.totalBytes());
		assertEquals(100.0, last.percent());
		assertTrue(last.bytesPerSecond() > 0);
		assertEquals(Duration.ZERO, last.eta());
	}

	@Test
	void theTokenGoesToTheHubButNotToTheStorageItRedirectsTo() throws Exception {
		this.hub.lfs(REPO, FILE.file(), this.content, this.sha256);
		this.hub.requireToken("secret");
		download(downloader("secret"), FILE);
		assertEquals(List.of("GET /owner/tiny-GGUF/resolve/main/tiny-Q8_0.gguf Bearer secret",
				"GET /storage/owner/tiny-GGUF/resolve/main/tiny-Q8_0.gguf"), this.hub.requests());
	}

	@Test
	void aCorruptedDownloadIsRefusedByTheDigestAndDeleted() {
		byte[] corrupted = this.content.clone();
		corrupted[12345] ^= 1;
		this.hub.lfs(REPO, FILE.file(), corrupted, this.sha256);
		IOException refused = assertThrows(IOException.class, () -> download(downloader(null), FILE));
		assertContains(refused, "SHA-256 mismatch, the hub published " + this.sha256);
		assertContains(refused, "the download was deleted");
		assertFalse(Files.exists(this.temp.resolve("tiny-Q8_0.gguf")));
		assertFalse(Files.exists(this.temp.resolve("tiny-Q8_0.gguf.part")));
	}

	@Test
	void aBrokenConnectionAndA503AreRetriedResumingWhereTheDownloadStopped() throws Exception {
		this.hub.lfs(REPO, FILE.file(), this.content, this.sha256);
		this.hub.fault(TestHub.Fault.CUT, TestHub.Fault.UNAVAILABLE);
		assertEquals(this.sha256, download(downloader(null), FILE));
		assertArrayEquals(this.content, Files.readAllBytes(this.temp.resolve("tiny-Q8_0.gguf")));
		int cut = this.content.length / 4;
		String storage = "GET /storage/owner/tiny-GGUF/resolve/main/tiny-Q8_0.gguf";
		assertEquals(List.of(storage, storage + " bytes=" + cut + "-", storage + " bytes=" + cut + "-"),
				this.hub.requests().stream().filter(request -> request.startsWith("GET /storage")).toList());
	}

	@Test
	void aPartialFileLeftByAnEarlierRunIsResumed() throws Exception {
		this.hub.lfs(REPO, FILE.file(), this.content, this.sha256);
		this.hub.fault(TestHub.Fault.CUT, TestHub.Fault.UNAVAILABLE, TestHub.Fault.UNAVAILABLE);
		IOException failed = assertThrows(IOException.class, () -> download(downloader(null), FILE));
		assertContains(failed, "the hub answered 503 (after 3 attempts; the partial file");
		assertContains(failed, "resumes next time");
		Path part = this.temp.resolve("tiny-Q8_0.gguf.part");
		long kept = Files.size(part);
		assertEquals(this.content.length / 4, kept);

		this.hub.requests().clear();
		this.progress.clear();
		assertEquals(this.sha256, download(downloader(null), FILE));
		assertTrue(
				this.hub.requests()
					.contains("GET /storage/owner/tiny-GGUF/resolve/main/tiny-Q8_0.gguf bytes=" + kept + "-"),
				this.hub.requests().toString());
		assertArrayEquals(this.content, Files.readAllBytes(this.temp.resolve("tiny-Q8_0.gguf")));
		assertEquals(kept, this.progress.get(0).bytes());
	}

	@Test
	void hubErrorsAreNamedAndFinal() {
		assertTrue(assertThrows(IOException.class, () -> download(downloader(null), FILE)).getMessage()
			.endsWith("the hub answered 404: no such repository, revision or file"));
		this.hub.lfs(REPO, FILE.file(), this.content, this.sha256);
		this.hub.requireToken("secret");
		assertContains(assertThrows(IOException.class, () -> download(downloader(null), FILE)),
				"the hub answered 401; the repository is private or gated: give a hub token");
		assertContains(assertThrows(IOException.class, () -> download(downloader("wrong"), FILE)),
				"the hub answered 401; the hub token was refused");
		assertFalse(Files.exists(this.temp.resolve("tiny-Q8_0.gguf.part")));
	}

	@Test
	void aFileWithoutAPublishedSha256IsRefused() {
		this.hub.git(REPO, "small.gguf", this.content);
		assertContains(
				assertThrows(IOException.class,
						() -> download(downloader(null), new HubFile(REPO, "small.gguf", "main"))),
				"the hub published no SHA-256 for this file");
		assertFalse(Files.exists(this.temp.resolve("small.gguf")));
	}

	@Test
	void aCancelledDownloadStopsAndLeavesNothing() {
		this.hub.lfs(REPO, FILE.file(), this.content, this.sha256);
		Path target = this.temp.resolve("tiny-Q8_0.gguf");
		assertThrows(CancellationException.class,
				() -> downloader(null).download(FILE, target, this.progress::add, () -> !this.progress.isEmpty()));
		assertFalse(Files.exists(target));
		assertFalse(Files.exists(this.temp.resolve("tiny-Q8_0.gguf.part")));
	}

	@Test
	void anExistingFileIsNotOverwritten() throws Exception {
		this.hub.lfs(REPO, FILE.file(), this.content, this.sha256);
		Files.writeString(this.temp.resolve("tiny-Q8_0.gguf"), "mine");
		assertTrue(assertThrows(IOException.class, () -> download(downloader(null), FILE)).getMessage()
			.endsWith("tiny-Q8_0.gguf already exists; remove it or register it"));
		assertEquals("mine", Files.readString(this.temp.resolve("tiny-Q8_0.gguf")));
	}

	@Test
	void namesThatCouldLeaveTheModelFolderOrTheRepositoryAreRefused() {
		for (String file : List.of("../evil.gguf", "a/../../evil.gguf", "/etc/evil.gguf", "evil.bin", "a//b.gguf",
				"..gguf/x.gguf", "a\\b.gguf", "")) {
			assertContains(assertThrows(IllegalArgumentException.class, () -> new HubFile(REPO, file, "main"), file),
					"is not a GGUF file path");
		}
		for (String repository : List.of("owner", "a/b/c", "../b", "a/..", "owner/", "/repo")) {
			assertContains(assertThrows(IllegalArgumentException.class, () -> new HubFile(repository, "m.gguf", "main"),
					repository), "is not of the form owner/repo");
		}
		assertContains(assertThrows(IllegalArgumentException.class, () -> new HubFile(REPO, "m.gguf", "../main")),
				"revision");
		HubFile nested = new HubFile(REPO, "Q4_K_M/part-one.gguf", "v1.0");
		assertEquals("part-one.gguf", nested.localName());
		assertEquals("/owner/tiny-GGUF/resolve/v1.0/Q4_K_M/part-one.gguf", nested.url(this.hub.url()).getPath());
	}

	private static void assertContains(Throwable thrown, String expected) {
		assertTrue(String.valueOf(thrown.getMessage()).contains(expected),
				() -> "expected '" + expected + "' in: " + thrown.getMessage());
	}

}
