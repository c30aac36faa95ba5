package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.LoadListener;
import dev.llcuda.hf.ConvertedModelCache;
import dev.llcuda.runtime.EngineLimits;
import dev.llcuda.runtime.GpuMonitor;
import dev.llcuda.runtime.ModelAdapters;
import dev.llcuda.runtime.ModelLoader;
import dev.llcuda.runtime.NativeModelLoader;
import dev.llcuda.runtime.NativeRuntime;
import dev.llcuda.runtime.ServingModel;

/**
 * The operator console in a real browser (Debian's chromium, headless, through its
 * chromedriver) against the service on the CPU, started without a model: the admin key is
 * entered, the model folder scanned (each entry listed with its kind), a model activated
 * with a LoRA adapter chosen to load beside it while its load progress shows, a chat
 * answer streamed, the live view filled, and pulls from a local hub watched to the end
 * and cancelled. Skipped, saying so, only when chromium or chromedriver is not installed
 * (bin/install-build-tools installs both).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleBrowserTests {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	/**
	 * Pause after each piece of weights copied, so the load lasts long enough to be
	 * watched.
	 */
	private static final long LOAD_PAUSE_MILLIS = 150;

	private static Path models;

	private static SlowHub hub;

	private static WebDriver browser;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		models = Files.createTempDirectory("llcuda-console-models");
		Files.copy(SampleApplicationTests.MODEL, models.resolve("console-micro.gguf"));
		AdapterServiceTests.write(models.resolve("console-lora.gguf"), 1);
		hub = new SlowHub();
		registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
		registry.add("llcuda.gpu.enabled", () -> "false");
		registry.add("llcuda.engine.cpu-threads", () -> "2");
		registry.add("llcuda.registry.model-folders", models::toString);
		registry.add("llcuda.registry.scan-on-startup", () -> "false");
		registry.add("llcuda.registry.database-file", () -> models.resolve("registry").toString());
		registry.add("llcuda.registry.hub-url", () -> hub.url().toString());
		registry.add("llcuda.security.admin-keys", () -> MicroModelService.ADMIN_KEY);
	}

	/** The native loader, pausing after each piece of weights it copied. */
	@TestConfiguration(proxyBeanMethods = false)
	static class SlowLoad {

		@Bean
		ModelLoader slowModelLoader(NativeRuntime nativeRuntime, GpuMonitor gpu, EngineLimits limits,
				ObjectProvider<EngineListener> listeners) {
			ModelLoader loader = new NativeModelLoader(nativeRuntime.library().orElseThrow(), gpu.selection(), limits,
					listeners.getIfUnique(() -> EngineListener.NONE), 0, ConvertedModelCache.defaultFolder(),
					Optional.empty(), List.of(), List.of());
			return new ModelLoader() {

				@Override
				public ServingModel load(Path file, LoadListener progress) {
					return load(file, ModelAdapters.NONE, progress);
				}

				@Override
				public ServingModel load(Path file, ModelAdapters adapters, LoadListener progress) {
					return loader.load(file, adapters, (phase, bytes, totalBytes) -> {
						progress.progress(phase, bytes, totalBytes);
						if (phase == LoadListener.Phase.COPYING_WEIGHTS && totalBytes > 0) {
							pause(LOAD_PAUSE_MILLIS);
						}
					});
				}

			};
		}

	}

	@BeforeAll
	static void startBrowser() {
		if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
			String reason = "chromium or chromedriver is not installed (" + CHROMIUM + ", " + CHROMEDRIVER
					+ "; bin/install-build-tools installs the Debian packages chromium and chromium-driver): "
					+ "skipping the console's browser test";
			System.err.println("WARNING: " + reason);
			Assumptions.abort(reason);
		}
		ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
			.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
					"--window-size=1280,1000");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.withLogFile(new File("target/chromedriver.log"))
			.build();
		browser = new ChromeDriver(service, options);
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.quit();
		}
		if (hub != null) {
			hub.close();
		}
	}

	@Test
	void anOperatorActivatesAModelWatchingItLoadChatsWithItAndWatchesPullsFinishAndCancel() throws Exception {
		browser.get("http://127.0.0.1:" + this.port + "/");
		await("the status says no model is loaded", () -> text("status").startsWith("No model is loaded"));

		// Registry changes need the admin key: without it the console shows the service's
		// refusal.
		click(By.id("scan"));
		await("the refused scan is explained", () -> text("error").contains("admin key"));
		browser.findElement(By.id("key-input")).sendKeys(MicroModelService.ADMIN_KEY);
		click(By.id("key-save"));
		click(By.id("scan"));
		By micro = By.cssSelector("#models tr[title$='console-micro.gguf']");
		await("the scanned model is listed", () -> !browser.findElements(micro).isEmpty());
		assertThat(browser.findElement(micro).getAttribute("data-status")).isEqualTo("AVAILABLE");
		assertThat(browser.findElement(micro).findElement(By.className("kind")).getText()).isEqualTo("GGUF_MODEL");

		// an adapter has no "Activate" of its own: it is chosen to go with a model's
		By lora = By.cssSelector("#models tr[title$='console-lora.gguf']");
		await("the scanned adapter is listed", () -> !browser.findElements(lora).isEmpty());
		assertThat(browser.findElement(lora).findElement(By.className("kind")).getText()).isEqualTo("GGUF_ADAPTER");
		assertThat(browser.findElement(lora).findElements(By.cssSelector("button[data-action='activate']"))).isEmpty();
		browser.findElement(lora)
			.findElement(By.cssSelector("select[data-action='adapter-use'] option[value='lora']"))
			.click();

		browser.findElement(micro).findElement(By.cssSelector("button[data-action='activate']")).click();
		Set<String> loadReadings = new TreeSet<>();
		await("the model serves", () -> {
			WebElement load = browser.findElement(By.id("load"));
			if (load.isDisplayed()) {
				loadReadings.add(load.getAttribute("data-phase") + " "
						+ browser.findElement(By.id("load-progress")).getAttribute("value") + " " + text("load-bytes"));
			}
			return "READY".equals(browser.findElement(By.id("status")).getAttribute("data-state"));
		});
		assertThat(loadReadings).as("the load progress the console showed")
			.anySatisfy(reading -> assertThat(reading)
				.matches("COPYING_WEIGHTS [0-9.]+ [0-9.]+ [kM]?B of [0-9.]+ [kM]?B \\([0-9.]+%\\)"));
		await("the model is listed ACTIVE",
				() -> "ACTIVE".equals(browser.findElement(micro).getAttribute("data-status")));
		await("the model is listed with its adapter loaded beside it",
				() -> browser.findElement(micro).getText().contains("beside: console-lora.gguf"));

		chatStreams();
		liveViewShowsTheEngine();
		pullsShowProgressFinishAndCancel();
	}

	private void chatStreams() {
		click(By.cssSelector("nav button[data-view='chat']"));
		// Every change of the answer's text as the browser rendered it.
		((JavascriptExecutor) browser).executeScript(
				"""
						window.answerLengths = [];
						new MutationObserver(() => {
						  const answers = document.querySelectorAll('.message.assistant .body');
						  if (answers.length) window.answerLengths.push(answers[answers.length - 1].textContent.length);
						}).observe(document.getElementById('conversation'), { childList: true, subtree: true, characterData: true });
						""");
		browser.findElement(By.id("chat-input")).sendKeys("Once upon a time");
		click(By.id("chat-send"));
		By answer = By.cssSelector(".message.assistant");
		await("the answer is complete", () -> !browser.findElements(answer).isEmpty()
				&& !"streaming".equals(browser.findElement(answer).getAttribute("data-state")));
		WebElement reply = browser.findElement(answer);
		assertThat(reply.getAttribute("data-state")).isEqualTo("done");
		assertThat(reply.findElement(By.className("body")).getText()).isNotBlank();
		int pieces = Integer.parseInt(reply.getAttribute("data-pieces"));
		assertThat(pieces).as("content deltas of the stream").isGreaterThan(1);
		@SuppressWarnings("unchecked")
		List<Long> lengths = (List<Long>) ((JavascriptExecutor) browser).executeScript("return window.answerLengths;");
		assertThat(lengths.stream().filter(length -> length > 0).distinct().count())
			.as("distinct non-empty lengths of the answer as it was rendered")
			.isGreaterThan(1);
		assertThat(reply.findElement(By.className("meta")).getText()).contains("prompt tokens").contains("tokens/s");
	}

	private void liveViewShowsTheEngine() {
		click(By.cssSelector("nav button[data-view='live']"));
		await("the live view shows the engine's counters",
				() -> text("live-engine").matches(".*: [1-9]\\d* tokens generated.*"));
		assertThat(text("kv-blocks")).matches("\\d+ of [1-9]\\d*");
		assertThat(text("requests")).matches("\\d+ running, \\d+ queued");
		assertThat(text("gpu-utilization")).contains("no GPU");
	}

	private void pullsShowProgressFinishAndCancel() throws IOException {
		click(By.cssSelector("nav button[data-view='models']"));
		byte[] model = Files.readAllBytes(SampleApplicationTests.MODEL);
		hub.host("owner/micro-GGUF", "pulled-Q8_0.gguf", model, 64 * 1024, 100);
		pull("owner/micro-GGUF", "pulled-Q8_0.gguf");
		By pulled = By.cssSelector(".pull[data-file='pulled-Q8_0.gguf']");
		Set<String> readings = new TreeSet<>();
		await("the pull finishes", () -> {
			List<WebElement> pulls = browser.findElements(pulled);
			if (pulls.isEmpty()) {
				return false;
			}
			String state = pulls.get(0).getAttribute("data-state");
			if ("DOWNLOADING".equals(state)) {
				readings.add(pulls.get(0).getAttribute("data-bytes") + " " + pulls.get(0).getText());
			}
			return "DONE".equals(state);
		});
		assertThat(readings).as("the pull's progress the console showed").anySatisfy(reading -> {
			long bytes = Long.parseLong(reading.substring(0, reading.indexOf(' ')));
			assertThat(bytes).isBetween(1L, model.length - 1L);
			assertThat(reading)
				.containsPattern("DOWNLOADING, [0-9.]+ [kM]?B of [0-9.]+ [kM]?B \\([0-9.]+%\\), [0-9.]+ [kM]?B/s");
		});
		await("the pulled model is registered",
				() -> !browser.findElements(By.cssSelector("#models tr[title$='pulled-Q8_0.gguf']")).isEmpty());
		assertThat(models.resolve("pulled-Q8_0.gguf")).hasSameBinaryContentAs(SampleApplicationTests.MODEL);

		hub.host("owner/big-GGUF", "big-Q8_0.gguf", new byte[64 << 20], 64 * 1024, 100);
		pull("owner/big-GGUF", "big-Q8_0.gguf");
		By big = By.cssSelector(".pull[data-file='big-Q8_0.gguf'][data-state='DOWNLOADING']");
		await("the big pull has bytes",
				() -> browser.findElements(big)
					.stream()
					.anyMatch(pull -> Long.parseLong(pull.getAttribute("data-bytes")) > 0));
		browser.findElement(big).findElement(By.cssSelector("button[data-action='cancel']")).click();
		await("the big pull is cancelled",
				() -> !browser.findElements(By.cssSelector(".pull[data-file='big-Q8_0.gguf'][data-state='CANCELLED']"))
					.isEmpty());
		assertThat(models.resolve("big-Q8_0.gguf")).doesNotExist();
	}

	private static void pull(String repository, String file) {
		WebElement repo = browser.findElement(By.id("pull-repo"));
		repo.clear();
		repo.sendKeys(repository);
		WebElement name = browser.findElement(By.id("pull-file"));
		name.clear();
		name.sendKeys(file);
		click(By.id("pull-start"));
	}

	private static void click(By by) {
		browser.findElement(by).click();
	}

	private static String text(String id) {
		return browser.findElement(By.id(id)).getText();
	}

	/**
	 * Polls {@code condition} every 50 ms until it holds, failing with {@code what} after
	 * {@link #TIMEOUT}. The console re-renders its lists every second, so an element the
	 * condition found may be replaced before it is read: that poll counts as not yet.
	 */
	private static void await(String what, Supplier<Boolean> condition) {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (!holds(condition)) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("timed out waiting until " + what + "; the page says: "
						+ browser.findElement(By.tagName("body")).getText());
			}
			pause(50);
		}
	}

	private static boolean holds(Supplier<Boolean> condition) {
		try {
			return condition.get();
		}
		catch (StaleElementReferenceException e) {
			return false;
		}
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

}
