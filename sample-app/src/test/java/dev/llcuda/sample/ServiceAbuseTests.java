package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufWriter;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;

/**
 * Files as an attacker would hand them to a running service, seeded and bounded:
 * structurally invalid GGUF files registered and activated through the registry endpoint
 * are refused (4xx naming the reason, none accepted, none hangs) while the served model
 * serves on; models whose chat template is hostile are refused per request within the
 * template limits; a served file truncated under the running service leaves the process
 * serving and health saying so.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServiceAbuseTests {

	private static final long SEED = 0xab05eL;

	private static final int CORRUPT_FILES = 24;

	/** Far above what any one refusal takes; a case past it counts as a hang. */
	private static final Duration HANG = Duration.ofSeconds(30);

	private static final Path FOLDER = Path.of("target", "abuse-models").toAbsolutePath();

	private static final Path SERVED = FOLDER.resolve("served.gguf");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		if (Files.exists(FOLDER)) {
			try (Stream<Path> files = Files.walk(FOLDER)) {
				for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
					Files.delete(file);
				}
			}
		}
		Files.createDirectories(FOLDER);
		Files.copy(SampleApplicationTests.MODEL, SERVED, StandardCopyOption.REPLACE_EXISTING);
		RegistryOnlyService.properties(registry, FOLDER, "abuse-registry");
		registry.add("llcuda.model.path", SERVED::toString);
	}

	@LocalServerPort
	int port;

	@Autowired
	LlcudaRuntime runtime;

	@Test
	void structurallyInvalidFilesAreRefusedThroughTheRegistryWhileTheServedModelServesOn() throws Exception {
		awaitReady();
		byte[] original = Files.readAllBytes(SERVED);
		SplittableRandom random = new SplittableRandom(SEED);
		for (int i = 0; i < CORRUPT_FILES; i++) {
			long seed = random.nextLong();
			Corruption corruption = corrupt(original, new SplittableRandom(seed));
			Path file = FOLDER.resolve("corrupt-" + i + ".gguf");
			Files.write(file, corruption.bytes());
			String what = "seed " + seed + ": " + corruption.what();
			long start = System.nanoTime();
			HttpResponse<String> registered = send(post("/actuator/llcudamodels", "{\"path\": \"" + file + "\"}"));
			HttpResponse<String> refusal = registered;
			if (registered.statusCode() == 200) {
				long id = json(registered).at("/id").asLong();
				refusal = send(post("/actuator/llcudamodels/" + id, "{\"action\": \"activate\"}"));
			}
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			assertThat(refusal.statusCode()).as(what + ": " + refusal.body()).isBetween(400, 499);
			assertThat(json(refusal).at("/error").asString()).as(what).isNotBlank();
			assertThat(took).as(what).isLessThan(HANG);
			assertThat(this.runtime.state()).as(what).isEqualTo(RuntimeState.READY);
			assertThat(this.runtime.requireServing().path()).as(what).isEqualTo(SERVED);
		}
		assertThat(json(send(get("/actuator/health/llcuda"))).at("/status").asString()).isEqualTo("UP");
		assertThat(send(chat()).statusCode()).isEqualTo(200);
	}

	@Test
	void hostileChatTemplatesAreRefusedPerRequestWithinTheLimitsAndTheServiceStaysUp() throws Exception {
		awaitReady();
		Map<String, String> templates = new LinkedHashMap<>();
		templates.put("nested loops",
				"{% for a in range(1000000) %}{% for b in range(1000000) %}x{% endfor %}" + "{% endfor %}");
		templates.put("a self-recursive macro", "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}");
		templates.put("an output bomb", "{% for a in range(100000) %}{{ 'abcdefghij' * 100000 }}{% endfor %}");
		templates.put("a doubling string", "{% set ns = namespace(s='x') %}{% for a in range(64) %}"
				+ "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s }}");
		List<Long> ids = new ArrayList<>();
		for (Map.Entry<String, String> template : templates.entrySet()) {
			Path file = FOLDER.resolve("hostile-" + ids.size() + ".gguf");
			writeWithTemplate(SampleApplicationTests.MODEL, file, template.getValue());
			HttpResponse<String> registered = send(post("/actuator/llcudamodels", "{\"path\": \"" + file + "\"}"));
			assertThat(registered.statusCode()).as(template.getKey() + ": " + registered.body()).isEqualTo(200);
			long id = json(registered).at("/id").asLong();
			ids.add(id);
			HttpResponse<String> activated = send(post("/actuator/llcudamodels/" + id, "{\"action\": \"activate\"}"));
			assertThat(activated.statusCode()).as(template.getKey() + ": " + activated.body()).isEqualTo(200);

			long start = System.nanoTime();
			HttpResponse<String> refused = send(chat());
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			assertThat(refused.statusCode()).as(template.getKey() + ": " + refused.body()).isEqualTo(400);
			assertThat(json(refused).at("/error/message").asString()).as(template.getKey())
				.contains("refused the conversation");
			// the render deadline is 2 s; a loaded 2-core machine gets some slack
			assertThat(took).as(template.getKey()).isLessThan(Duration.ofSeconds(10));
			assertThat(send(post("/v1/completions", "{\"prompt\": \"Hello\", \"max_tokens\": 3}")).statusCode())
				.as(template.getKey() + ": plain completions need no template")
				.isEqualTo(200);
			assertThat(json(send(get("/actuator/health/llcuda"))).at("/status").asString()).isEqualTo("UP");
		}
		long served = json(send(post("/actuator/llcudamodels", "{\"path\": \"" + SERVED + "\"}"))).at("/id").asLong();
		assertThat(send(post("/actuator/llcudamodels/" + served, "{\"action\": \"activate\"}")).statusCode())
			.isEqualTo(200);
		assertThat(send(chat()).statusCode()).isEqualTo(200);
	}

	@Test
	void aServedFileTruncatedUnderTheRunningServiceKeepsItServingAndHealthSaysSo() throws Exception {
		awaitReady();
		Path served = this.runtime.requireServing().path();
		String before = json(send(post("/v1/completions", "{\"prompt\": \"Hello\", \"max_tokens\": 8, \"seed\": 5}")))
			.at("/choices/0/text")
			.asString();
		byte[] original = Files.readAllBytes(served);
		try {
			try (RandomAccessFile file = new RandomAccessFile(served.toFile(), "rw")) {
				file.setLength(4096);
			}
			JsonNode health = json(send(get("/actuator/health/llcuda")));
			assertThat(health.at("/status").asString()).isEqualTo("UP");
			assertThat(health.at("/details/model/fileChanged").asString()).contains("-> 4096 bytes")
				.contains("serving continues from the copy loaded");
			assertThat(json(send(post("/v1/completions", "{\"prompt\": \"Hello\", \"max_tokens\": 8, \"seed\": 5}")))
				.at("/choices/0/text")
				.asString()).isEqualTo(before);
		}
		finally {
			Files.write(served, original);
		}
	}

	private record Corruption(byte[] bytes, String what) {
	}

	/**
	 * One structurally invalid variant of {@code original}: its header, counts, first key
	 * or value type broken, or the file cut short of its tensor data.
	 */
	private static Corruption corrupt(byte[] original, SplittableRandom random) {
		byte[] bytes = original.clone();
		ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		long firstKeyLength = view.getLong(24);
		int firstTypeAt = 32 + (int) firstKeyLength;
		return switch (random.nextInt(7)) {
			case 0 -> {
				int length = random.nextInt(original.length - 1);
				yield new Corruption(Arrays.copyOf(bytes, length), "cut to " + length + " bytes");
			}
			case 1 -> {
				view.putInt(0, random.nextInt());
				yield new Corruption(bytes, "magic " + Integer.toHexString(view.getInt(0)));
			}
			case 2 -> {
				int version = random.nextBoolean() ? random.nextInt(4, Integer.MAX_VALUE) : random.nextInt(-99, 2);
				view.putInt(4, version);
				yield new Corruption(bytes, "version " + version);
			}
			case 3 -> {
				long count = hugeCount(random);
				view.putLong(8, count);
				yield new Corruption(bytes, "tensor count " + count);
			}
			case 4 -> {
				long count = hugeCount(random);
				view.putLong(16, count);
				yield new Corruption(bytes, "metadata count " + count);
			}
			case 5 -> {
				long length = hugeCount(random);
				view.putLong(24, length);
				yield new Corruption(bytes, "first key length " + length);
			}
			default -> {
				int type = 13 + random.nextInt(1000);
				view.putInt(firstTypeAt, type);
				yield new Corruption(bytes, "first value type " + type);
			}
		};
	}

	private static long hugeCount(SplittableRandom random) {
		long[] counts = { -1L, Long.MAX_VALUE, 1L << 40, 1L << 32, (1L << 31) + random.nextInt(1 << 20) };
		return counts[random.nextInt(counts.length)];
	}

	/** {@code source} with {@code template} as its chat template. */
	private static void writeWithTemplate(Path source, Path target, String template) throws IOException {
		try (GgufFile gguf = GgufFile.open(source)) {
			GgufWriter writer = new GgufWriter();
			for (String key : gguf.metadata().keys()) {
				writer.put(key, gguf.metadata().get(key));
			}
			writer.putString("tokenizer.chat_template", template);
			for (TensorInfo tensor : gguf.tensors()) {
				ByteBuffer data = gguf.tensorData(tensor);
				byte[] copy = new byte[data.remaining()];
				data.get(copy);
				writer.addTensor(tensor.name(), tensor.type(), tensor.dims(), copy);
			}
			writer.write(target);
		}
	}

	private void awaitReady() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (this.runtime.state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(this.runtime.state()).as(this.runtime.failure().orElse("")).isEqualTo(RuntimeState.READY);
	}

	private HttpRequest chat() {
		return post("/v1/chat/completions",
				"{\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}], " + "\"max_tokens\": 3}");
	}

	/** As the admin (health details, registry writes). */
	private HttpRequest get(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(HANG)
			.header("Authorization", "Bearer " + MicroModelService.ADMIN_KEY)
			.GET()
			.build();
	}

	private HttpRequest post(String path, String body) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(HANG)
			.header("Authorization", "Bearer " + MicroModelService.ADMIN_KEY)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
	}

	private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static JsonNode json(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

}
