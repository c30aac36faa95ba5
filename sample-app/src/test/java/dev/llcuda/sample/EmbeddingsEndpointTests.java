package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code POST /v1/embeddings} over real HTTP on the synthetic bert model of
 * {@code llcuda-synth --shape bert-micro} (256 dimensions), served beside the micro chat
 * model.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EmbeddingsEndpointTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Path GENERATOR = Path.of("..", "llcuda-native", "target", "native-build", "llcuda-synth");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException, InterruptedException {
		Path model = bertMicro();
		registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
		registry.add("llcuda.gpu.enabled", () -> "false");
		registry.add("llcuda.engine.cpu-threads", () -> "2");
		registry.add("llcuda.model.path", SampleApplicationTests.MODEL::toString);
		registry.add("llcuda.embedding.path", model::toString);
		registry.add("llcuda.embedding.cpu-threads", () -> "2");
		registry.add("llcuda.registry.enabled", () -> "false");
	}

	/**
	 * Writes the bert-micro F16 model (256 dimensions, context 128) with the bert-bge
	 * vocabulary; its path.
	 */
	static Path bertMicro() throws IOException, InterruptedException {
		Path model = Path.of("target", "bert-micro-F16.gguf").toAbsolutePath();
		Process process = new ProcessBuilder(GENERATOR.toString(), "--shape", "bert-micro", "--type", "F16", "--vocab",
				SampleApplicationTests.MODELS.resolveSibling("vocab").resolve("ggml-vocab-bert-bge.gguf").toString(),
				"--out", model.toString())
			.redirectErrorStream(true)
			.start();
		String log = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(log).isZero();
		assertThat(Files.exists(model)).isTrue();
		return model;
	}

	@LocalServerPort
	int port;

	@Test
	void textsComeBackAsFloatOrBase64VectorsWithUsage() throws Exception {
		HttpResponse<String> floats = embeddings()
			.post("{\"input\": [\"what is a gpu\", \"embeddings for retrieval\"]}");
		assertThat(floats.statusCode()).as(floats.body()).isEqualTo(200);
		JsonNode body = JSON.readTree(floats.body());
		assertThat(body.at("/object").asString()).isEqualTo("list");
		assertThat(body.at("/model").asString()).isEqualTo("synthetic-bert-micro-F16");
		assertThat(body.at("/data").size()).isEqualTo(2);
		assertThat(body.at("/data/1/index").asInt()).isEqualTo(1);
		assertThat(body.at("/data/0/embedding").size()).isEqualTo(256);
		int tokens = body.at("/usage/prompt_tokens").asInt();
		assertThat(tokens).isGreaterThan(4).isEqualTo(body.at("/usage/total_tokens").asInt());

		JsonNode encoded = JSON
			.readTree(embeddings().post("{\"input\": \"what is a gpu\", \"encoding_format\": \"base64\"}").body());
		ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded.at("/data/0/embedding").asString()))
			.order(ByteOrder.LITTLE_ENDIAN);
		assertThat(bytes.remaining()).isEqualTo(256 * 4);
		for (int i = 0; i < 256; i++) {
			assertThat(bytes.getFloat()).isEqualTo(body.at("/data/0/embedding/" + i).floatValue());
		}
	}

	@Test
	void dimensionsTokenArraysAndUnknownEncodingsAre400() throws Exception {
		embeddings().assertRefused("{\"input\": \"x\", \"dimensions\": 64}", "dimensions is not supported");
		embeddings().assertRefused("{\"input\": [[101, 102]]}", "token arrays are not supported");
		embeddings().assertRefused("{\"input\": []}", "non-empty array");
		embeddings().assertRefused("{\"input\": \"x\", \"encoding_format\": \"int8\"}",
				"encoding_format 'int8' is not supported");
		embeddings().assertRefused("{\"input\": \"" + "word ".repeat(200) + "\"}",
				"more than the model's context of 128");
	}

	@Test
	void anotherModelIs404() throws Exception {
		HttpResponse<String> response = embeddings().post("{\"input\": \"x\", \"model\": \"text-embedding-3-small\"}");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
		assertThat(JSON.readTree(response.body()).at("/error/code").asString()).isEqualTo("model_not_found");
	}

	private JsonEndpoint embeddings() {
		return new JsonEndpoint(this.port, "/v1/embeddings");
	}

}
