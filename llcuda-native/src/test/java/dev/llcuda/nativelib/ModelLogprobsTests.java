package dev.llcuda.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.GenerationResult;
import dev.llcuda.engine.InvalidRequestException;
import dev.llcuda.engine.ModelEngine;
import dev.llcuda.engine.RequestHandle;
import dev.llcuda.engine.SamplingParams;
import dev.llcuda.engine.TokenLogprobs;
import dev.llcuda.engine.TokenPiece;
import dev.llcuda.grammar.Constraints;
import dev.llcuda.grammar.Grammars;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Log-probabilities through the engine and the native CPU step: every generated token's
 * value and its top alternatives are the log-softmax of the model's raw logits at that
 * position (float64 reference over logits computed again token by token), whatever the
 * sampling parameters, penalties or constraint mask drew it.
 */
class ModelLogprobsTests {

	private static final Path MODEL = Path.of(System.getProperty("llcuda.testdata", "../shared/testdata"), "models",
			"micro-llama-f32.gguf");

	private static final int TOP = 5;

	/**
	 * The engine's decode steps and the reference's steps group the sums differently
	 * (float32).
	 */
	private static final double TOLERANCE = 1e-4;

	private static Backend backend;

	private static ModelEngine engine;

	private static Model reference;

	@BeforeAll
	static void open() throws Exception {
		backend = NativeLibrary.load(NativeLibraryOptions.fromSystemProperties()).cpuBackend(1);
		engine = ModelEngine.open(backend, MODEL, ModelEngine.Options.defaults());
		reference = backend.loadModel(MODEL, engine.spec());
	}

	@AfterAll
	static void close() {
		reference.close();
		engine.close();
		backend.close();
	}

	private static int[] prompt() {
		return engine.tokenizer().encode("The quick brown fox", true, false);
	}

	@Test
	void greedyTokensCarryTheRawSoftmax() throws Exception {
		checkAgainstReference(GenerationRequest.greedy(prompt(), 12).withLogprobs(TOP));
	}

	@Test
	void sampledAndPenalizedTokensCarryTheRawSoftmaxNotTheFilteredOne() throws Exception {
		SamplingParams warm = new SamplingParams(1.3f, 20, 0.9f, 0.05f, 1.5f, 0.3f, 0.2f, 42);
		checkAgainstReference(new GenerationRequest(prompt(), warm, 12, List.of(), Optional.empty()).withLogprobs(TOP));
	}

	@Test
	void constrainedTokensCarryTheRawSoftmaxBeforeTheMask() throws Exception {
		Constraints constraints = new Constraints(engine.tokenizer());
		SamplingParams warm = new SamplingParams(1.0f, 0, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 3);
		checkAgainstReference(new GenerationRequest(prompt(), warm, 12, List.of(), Optional.empty())
			.withConstraint(constraints.masks(new Grammars().jsonObject()))
			.withLogprobs(0));
	}

	@Test
	void streamedPiecesCarryTheResultsLogprobs() throws Exception {
		RequestHandle handle = engine.engine().submit(GenerationRequest.greedy(prompt(), 8).withLogprobs(3));
		List<TokenLogprobs> streamed = new ArrayList<>();
		CountDownLatch streamEnded = new CountDownLatch(1);
		handle.pieces().subscribe(new Flow.Subscriber<>() {
			@Override
			public void onSubscribe(Flow.Subscription subscription) {
				subscription.request(Long.MAX_VALUE);
			}

			@Override
			public void onNext(TokenPiece piece) {
				assertEquals(piece.tokenId(), piece.logprobs().token());
				streamed.add(piece.logprobs());
			}

			@Override
			public void onError(Throwable throwable) {
				streamEnded.countDown();
			}

			@Override
			public void onComplete() {
				streamEnded.countDown();
			}
		});
		GenerationResult result = handle.result().get(30, TimeUnit.SECONDS);
		// the result can complete before the last piece reached this subscriber
		assertTrue(streamEnded.await(30, TimeUnit.SECONDS));
		assertFalse(result.logprobs().isEmpty());
		assertEquals(result.logprobs(), streamed);
		assertTrue(result.logprobs().stream().allMatch(token -> token.topTokens().length == 3));
	}

	@Test
	void withoutLogprobsTheResultHasNone() throws Exception {
		GenerationResult result = engine.engine()
			.submit(GenerationRequest.greedy(prompt(), 4))
			.result()
			.get(30, TimeUnit.SECONDS);
		assertTrue(result.logprobs().isEmpty());
	}

	@Test
	void moreThanTwentyAlternativesAreRefusedNamingTheField() {
		InvalidRequestException refused = assertThrows(InvalidRequestException.class,
				() -> GenerationRequest.greedy(prompt(), 4).withLogprobs(21));
		assertTrue(refused.getMessage().contains("top_logprobs"), refused.getMessage());
	}

	private static void checkAgainstReference(GenerationRequest request) throws Exception {
		GenerationResult result = engine.engine().submit(request).result().get(30, TimeUnit.SECONDS);
		List<TokenLogprobs> tokens = result.logprobs();
		assertFalse(tokens.isEmpty());
		int[] prompt = request.promptTokens();
		int[] all = Arrays.copyOf(prompt, prompt.length + tokens.size());
		for (int i = 0; i < tokens.size(); i++) {
			all[prompt.length + i] = tokens.get(i).token();
		}
		float[][] rows = Steps.logits(reference, all, 1);
		for (int i = 0; i < tokens.size(); i++) {
			TokenLogprobs got = tokens.get(i);
			double[] want = logSoftmax(rows[prompt.length - 1 + i]);
			assertEquals(want[got.token()], got.logprob(), TOLERANCE, "token " + i);
			int[] top = got.topTokens();
			float[] topLogprobs = got.topLogprobs();
			assertEquals(request.topLogprobs(), top.length);
			double[] sorted = Arrays.stream(want).map(v -> -v).sorted().map(v -> -v).toArray();
			for (int k = 0; k < top.length; k++) {
				assertEquals(want[top[k]], topLogprobs[k], TOLERANCE, "alternative " + k + " of token " + i);
				assertEquals(sorted[k], topLogprobs[k], TOLERANCE, "the " + k + "-th most probable of token " + i);
			}
		}
	}

	private static double[] logSoftmax(float[] logits) {
		double max = Double.NEGATIVE_INFINITY;
		for (float logit : logits) {
			max = Math.max(max, logit);
		}
		double sum = 0;
		for (float logit : logits) {
			sum += Math.exp(logit - max);
		}
		double log = max + Math.log(sum);
		double[] out = new double[logits.length];
		for (int i = 0; i < logits.length; i++) {
			out[i] = logits[i] - log;
		}
		return out;
	}

}
