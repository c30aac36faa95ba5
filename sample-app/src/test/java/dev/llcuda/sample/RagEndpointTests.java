package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The RAG demo over real HTTP: text files written here are split into paragraphs,
 * embedded by the synthetic bert-micro model into the vector store, and
 * {@code POST /api/rag} answers with the micro chat model from the chunks nearest the
 * question by cosine (computed here from the same embeddings).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RagEndpointTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The paragraphs of the files below: what the store must hold. */
	private static final List<String> CHUNKS = List.of("The GPU runs the model's matrix products.",
			"Quantized weights take four bits each.", "The page cache keeps the keys and values of each sequence.",
			"Embeddings turn a text into one vector.", "A vector store finds the texts nearest a question.");

	private static Path documents;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException, InterruptedException {
		documents = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "rag-documents");
		Files.writeString(documents.resolve("engine.txt"),
				CHUNKS.get(0) + "\n\n" + CHUNKS.get(1) + "\r\n  \r\n" + CHUNKS.get(2) + "\n\n\n");
		Files.writeString(documents.resolve("retrieval.txt"), "\n" + CHUNKS.get(3) + "\n \n" + CHUNKS.get(4));
		Files.writeString(documents.resolve("notes.md"), "Not a text file, so not read.");
		Path model = EmbeddingsEndpointTests.bertMicro();
		registry.add("llcuda.native.cache-dir", SampleApplicationTests.NATIVE_CACHE::toString);
		registry.add("llcuda.gpu.enabled", () -> "false");
		registry.add("llcuda.engine.cpu-threads", () -> "2");
		registry.add("llcuda.model.path", SampleApplicationTests.MODEL::toString);
		registry.add("llcuda.embedding.path", model::toString);
		registry.add("llcuda.embedding.cpu-threads", () -> "2");
		registry.add("llcuda.registry.enabled", () -> "false");
		registry.add("sample.rag.documents", documents::toString);
		registry.add("sample.rag.top-k", () -> "2");
	}

	@LocalServerPort
	int port;

	@Autowired
	RagLibrary library;

	@Autowired
	EmbeddingModel embeddingModel;

	@Test
	void everyParagraphOfTheTextFilesIsOneChunk() {
		assertThat(RagLibrary.chunks(documents)).extracting(Document::getText).isEqualTo(CHUNKS);
		assertThat(this.library.chunks()).isEqualTo(CHUNKS.size());
		assertThat(this.library.store()
			.similaritySearch(SearchRequest.builder().query("anything").topK(100).similarityThresholdAll().build()))
			.extracting(Document::getText)
			.containsExactlyInAnyOrderElementsOf(CHUNKS);
	}

	@Test
	void theAnswerIsGivenTheChunksNearestTheQuestionByCosine() throws Exception {
		String question = "How does retrieval find the nearest texts?";
		HttpResponse<String> response = rag().post("{\"question\": \"" + question + "\", \"max_tokens\": 8}");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.at("/answer").isString()).isTrue();

		float[] query = this.embeddingModel.embed(question);
		List<double[]> ranked = new ArrayList<>();
		for (int i = 0; i < CHUNKS.size(); i++) {
			ranked.add(new double[] { i, cosine(query, this.embeddingModel.embed(CHUNKS.get(i))) });
		}
		ranked.sort(Comparator.<double[]>comparingDouble(entry -> entry[1]).reversed());
		assertThat(ranked.get(1)[1] - ranked.get(2)[1]).as("a clear second nearest").isGreaterThan(1e-4);
		JsonNode retrieved = body.at("/documents");
		assertThat(retrieved.size()).isEqualTo(2);
		for (int rank = 0; rank < 2; rank++) {
			int chunk = (int) ranked.get(rank)[0];
			assertThat(retrieved.at("/" + rank + "/text").asString()).isEqualTo(CHUNKS.get(chunk));
			assertThat(retrieved.at("/" + rank + "/source").asString())
				.isEqualTo(chunk < 3 ? "engine.txt" : "retrieval.txt");
			assertThat(retrieved.at("/" + rank + "/score").asDouble()).isCloseTo(ranked.get(rank)[1], within(1e-5));
		}
	}

	@Test
	void anEmptyOrMissingQuestionAndANonPositiveMaxTokensAre400() throws Exception {
		rag().assertRefused("{\"question\": \"  \"}", "question must be a non-empty string");
		rag().assertRefused("{}", "question must be a non-empty string");
		rag().assertRefused("{\"question\": \"why\", \"max_tokens\": 0}", "max_tokens must be at least 1");
	}

	private static double cosine(float[] a, float[] b) {
		double dot = 0;
		double normA = 0;
		double normB = 0;
		for (int i = 0; i < a.length; i++) {
			dot += (double) a[i] * b[i];
			normA += (double) a[i] * a[i];
			normB += (double) b[i] * b[i];
		}
		return dot / Math.sqrt(normA * normB);
	}

	private JsonEndpoint rag() {
		return new JsonEndpoint(this.port, "/api/rag");
	}

}
