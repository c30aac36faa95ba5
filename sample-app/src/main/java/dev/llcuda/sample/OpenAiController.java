package dev.llcuda.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import dev.llcuda.chat.LlcudaChatModel;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.LlcudaLogprobs;
import dev.llcuda.engine.AdapterUse;
import dev.llcuda.engine.Cancellation;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.registry.ModelRecord;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.runtime.ModelKind;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.NativeRuntime;

/**
 * OpenAI-compatible endpoints: {@code POST /v1/chat/completions} and
 * {@code POST /v1/completions} (JSON, or server-sent events ending with {@code [DONE]}
 * when {@code "stream": true}) and {@code GET /v1/models} (every model of the set, then
 * the registry's). A request's {@code model} picks a chat model of the set by name (none:
 * the default one); an unknown name is 404, an embedding model's name 400.
 */
@RestController
@RequestMapping("/v1")
public class OpenAiController {

	private final LlcudaChatModel chatModel;

	private final ModelSet models;

	private final ObjectProvider<ModelRegistry> registry;

	private final NativeRuntime nativeRuntime;

	private final InFlightRequests requests;

	private final ClientConnections clients;

	public OpenAiController(LlcudaChatModel chatModel, ModelSet models, ObjectProvider<ModelRegistry> registry,
			NativeRuntime nativeRuntime, InFlightRequests requests, ClientConnections clients) {
		this.chatModel = chatModel;
		this.models = models;
		this.registry = registry;
		this.nativeRuntime = nativeRuntime;
		this.requests = requests;
		this.clients = clients;
	}

	/**
	 * Chat completions: {@code n} choices generated side by side, tool calls in OpenAI's
	 * shape ({@code finish_reason: "tool_calls"}; in a stream each call whole in one
	 * delta), usage as a last chunk when {@code stream_options.include_usage}; see
	 * {@link ChatRequests} for what is refused.
	 */
	@PostMapping("/chat/completions")
	public ResponseEntity<ResponseBodyEmitter> chat(@RequestBody OpenAiApi.ChatRequest request,
			HttpServletRequest client) throws IOException {
		checkModel(baseModel(request.model()));
		List<Prompt> prompts = ChatRequests.prompts(request);
		boolean includeUsage = ChatRequests.includeUsage(request);
		ChatCompletion completion = new ChatCompletion("chatcmpl-" + UUID.randomUUID(), now(), systemFingerprint());
		if (request.streaming()) {
			return Responses.events(completion.chunks(prompts, this.chatModel::stream, includeUsage), this.requests);
		}
		List<ChatResponse> responses = generate(client, cancellation -> choices(prompts, cancellation));
		return Responses.json(completion.response(responses));
	}

	/**
	 * The choices generated side by side; the first to fail cancels the others through
	 * the shared {@code cancellation} (Reactor would interrupt their threads) and is the
	 * error thrown.
	 */
	private List<ChatResponse> choices(List<Prompt> prompts, Cancellation cancellation) {
		List<Signal<ChatResponse>> outcomes = Flux.range(0, prompts.size())
			.flatMapSequential(choice -> Mono.fromCallable(() -> this.chatModel.call(prompts.get(choice), cancellation))
				.subscribeOn(Schedulers.boundedElastic())
				.doOnError(error -> cancellation.cancel())
				.materialize())
			.collectList()
			.block();
		List<ChatResponse> responses = new ArrayList<>();
		for (Signal<ChatResponse> outcome : Objects.requireNonNull(outcomes)) {
			if (outcome.isOnError()) {
				throw Exceptions.propagate(Objects.requireNonNull(outcome.getThrowable()));
			}
			responses.add(Objects.requireNonNull(outcome.get()));
		}
		return responses;
	}

	/**
	 * Runs a blocking generation as a request in flight, cancelled in the engine when its
	 * client closes the connection (then {@link ClientConnections.ClientGoneException})
	 * or the shutdown drain ends.
	 */
	private <T> T generate(HttpServletRequest client, Function<Cancellation, T> generation) {
		return this.requests.call(cancellation -> {
			try (ClientConnections.Watch watch = this.clients.watch(client, cancellation)) {
				T answer;
				try {
					answer = generation.apply(cancellation);
				}
				catch (RuntimeException e) {
					throw watch.gone() ? new ClientConnections.ClientGoneException() : e;
				}
				if (watch.gone()) {
					throw new ClientConnections.ClientGoneException();
				}
				return answer;
			}
		});
	}

	@PostMapping("/completions")
	public ResponseEntity<ResponseBodyEmitter> complete(@RequestBody OpenAiApi.CompletionRequest request,
			HttpServletRequest client) throws IOException {
		checkModel(baseModel(request.model()));
		LlcudaChatOptions options = completionOptions(request);
		if (request.streaming()) {
			long created = now();
			return Responses.events(
					this.chatModel.streamCompletion(prompt(request.prompt()), options)
						.map(response -> new OpenAiApi.CompletionResponse(id(response), "text_completion", created,
								model(response), List.of(new OpenAiApi.TextChoice(0, text(response),
										textLogprobs(response), finishReason(response))),
								usage(response))),
					this.requests);
		}
		ChatResponse response = generate(client,
				cancellation -> this.chatModel.complete(prompt(request.prompt()), options, cancellation));
		return Responses.json(new OpenAiApi.CompletionResponse(id(response), "text_completion", now(), model(response),
				List.of(new OpenAiApi.TextChoice(0, text(response), textLogprobs(response), finishReason(response))),
				usage(response)));
	}

	/**
	 * The sampling options and, for {@code logprobs} N, the log-probabilities with N
	 * alternatives.
	 */
	private static LlcudaChatOptions completionOptions(OpenAiApi.CompletionRequest request) {
		LlcudaChatOptions options = options(request);
		return request.logprobs() == null ? options
				: options.mutate().logprobs(true).topLogprobs(request.logprobs()).build();
	}

	@GetMapping("/models")
	public OpenAiApi.ModelList models() {
		List<OpenAiApi.Model> models = new ArrayList<>();
		long now = now();
		this.models.names().forEach(name -> models.add(new OpenAiApi.Model(name, "model", now, "llcuda")));
		ModelRegistry modelRegistry = this.registry.getIfAvailable();
		if (modelRegistry != null) {
			for (ModelRecord model : modelRegistry.models()) {
				if (models.stream().noneMatch(known -> known.id().equals(model.facts().name()))) {
					models.add(new OpenAiApi.Model(model.facts().name(), "model", model.registeredAt().getEpochSecond(),
							"llcuda"));
				}
			}
		}
		return new OpenAiApi.ModelList("list", models);
	}

	/** {@code model} without a {@code :adapter} suffix. */
	private static @Nullable String baseModel(@Nullable String model) {
		if (model == null) {
			return null;
		}
		int colon = model.lastIndexOf(':');
		return colon < 0 ? model : model.substring(0, colon);
	}

	/** The LoRA adapter {@code model} names as {@code base:adapter}, or null. */
	private static @Nullable String adapter(@Nullable String model) {
		if (model == null) {
			return null;
		}
		int colon = model.lastIndexOf(':');
		return colon < 0 ? null : model.substring(colon + 1);
	}

	/**
	 * A named model must be a chat model of the set: 404 for one unknown here, 400 for an
	 * embedding model or one registered but not loaded.
	 */
	private void checkModel(@Nullable String model) {
		if (model == null || model.isBlank()) {
			return;
		}
		Optional<ModelKind> kind = this.models.kindOf(model);
		if (kind.isPresent()) {
			if (kind.get() == ModelKind.EMBEDDING) {
				throw new IllegalArgumentException("model '" + model + "' is an embedding model: it answers "
						+ "POST /v1/embeddings, not completions");
			}
			return;
		}
		String served = this.models.names().isEmpty() ? null : String.join("', '", this.models.names());
		ModelRegistry modelRegistry = this.registry.getIfAvailable();
		if (modelRegistry != null
				&& modelRegistry.models().stream().anyMatch(known -> known.facts().name().equals(model))) {
			throw new IllegalArgumentException("model '" + model + "' is registered but not loaded; activate it in "
					+ "the model registry first" + (served != null ? " (serving '" + served + "')" : ""));
		}
		throw new ModelNotFoundException(model, this.models.names());
	}

	/**
	 * Names the served model file and the native library, so a change of either changes
	 * it.
	 */
	private String systemFingerprint() {
		String identity = this.models.defaultChat()
			.serving()
			.map(serving -> serving.path() + "|" + serving.spec().name())
			.orElse("") + "|" + this.nativeRuntime.library().map(NativeLibrary::sha256).orElse("");
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
			return "fp_" + HexFormat.of().formatHex(digest, 0, 6);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
		}
	}

	private static String prompt(@Nullable String prompt) {
		if (prompt == null) {
			throw new IllegalArgumentException("prompt is required: the text to continue");
		}
		return prompt;
	}

	private static @Nullable List<String> stops(@Nullable List<String> stops) {
		if (stops != null && stops.stream().anyMatch(stop -> stop == null || stop.isEmpty())) {
			throw new IllegalArgumentException("stop must hold non-empty strings");
		}
		return stops;
	}

	static LlcudaChatOptions options(OpenAiApi.Sampling request) {
		return LlcudaChatOptions.builder()
			.temperature(request.temperature())
			.topP(request.topP())
			.topK(request.topK())
			.minP(request.minP())
			.maxTokens(request.maxTokens())
			.stopSequences(stops(request.stop()))
			.frequencyPenalty(request.frequencyPenalty())
			.presencePenalty(request.presencePenalty())
			.repetitionPenalty(request.repeatPenalty())
			.seed(request.seed())
			.model(baseModel(request.model()))
			.adapter(adapter(request.model()))
			.adapters(adapters(request.lora()))
			.build();
	}

	/**
	 * {@code lora}: each entry's adapter name and factor (default 1), or null when
	 * absent.
	 */
	private static @Nullable List<AdapterUse> adapters(@Nullable List<OpenAiApi.Lora> lora) {
		if (lora == null) {
			return null;
		}
		List<AdapterUse> uses = new ArrayList<>();
		for (int i = 0; i < lora.size(); i++) {
			OpenAiApi.Lora entry = lora.get(i);
			if (entry == null || entry.name() == null || entry.name().isBlank()) {
				throw new IllegalArgumentException(
						"lora[" + i + "].name is required: the name a LoRA adapter is loaded under");
			}
			double scale = entry.scale() != null ? entry.scale() : 1.0;
			if (!Double.isFinite(scale) || Math.abs(scale) > Float.MAX_VALUE) {
				throw new IllegalArgumentException("lora[" + i + "].scale " + scale + " must be a finite number");
			}
			uses.add(new AdapterUse(entry.name(), (float) scale));
		}
		return uses;
	}

	static String text(ChatResponse response) {
		String text = response.getResult() != null ? response.getResult().getOutput().getText() : null;
		return text != null ? text : "";
	}

	static @Nullable String finishReason(ChatResponse response) {
		String reason = response.getResult() != null ? response.getResult().getMetadata().getFinishReason() : null;
		return reason != null ? reason.toLowerCase(Locale.ROOT) : null;
	}

	/**
	 * The log-probabilities a response's generation carries (the request asked for them),
	 * or null.
	 */
	static @Nullable LlcudaLogprobs logprobs(ChatResponse response) {
		if (response.getResult() == null) {
			return null;
		}
		Object logprobs = response.getResult().getMetadata().get(LlcudaChatModel.LOGPROBS_METADATA);
		return logprobs instanceof LlcudaLogprobs found ? found : null;
	}

	/** In a chat choice's shape. */
	static OpenAiApi.@Nullable LogProbs chatLogprobs(ChatResponse response) {
		LlcudaLogprobs logprobs = logprobs(response);
		if (logprobs == null) {
			return null;
		}
		return new OpenAiApi.LogProbs(logprobs.content()
			.stream()
			.map(token -> new OpenAiApi.TokenLogProb(token.token(), token.logprob(), token.bytes(),
					token.topLogprobs()
						.stream()
						.map(top -> new OpenAiApi.TopLogProb(top.token(), top.logprob(), top.bytes()))
						.toList()))
			.toList());
	}

	/**
	 * In the legacy completions' shape: text offsets count characters from the start of
	 * this response's text.
	 */
	private static OpenAiApi.@Nullable TextLogProbs textLogprobs(ChatResponse response) {
		LlcudaLogprobs logprobs = logprobs(response);
		if (logprobs == null) {
			return null;
		}
		List<String> tokens = new ArrayList<>();
		List<Float> values = new ArrayList<>();
		List<Map<String, Float>> tops = new ArrayList<>();
		List<Integer> offsets = new ArrayList<>();
		int offset = 0;
		for (LlcudaLogprobs.Token token : logprobs.content()) {
			tokens.add(token.token());
			values.add(token.logprob());
			Map<String, Float> top = new LinkedHashMap<>();
			token.topLogprobs().forEach(alternative -> top.putIfAbsent(alternative.token(), alternative.logprob()));
			tops.add(top);
			offsets.add(offset);
			offset += token.token().length();
		}
		return new OpenAiApi.TextLogProbs(tokens, values, tops, offsets);
	}

	static OpenAiApi.@Nullable Usage usage(ChatResponse response) {
		var usage = response.getMetadata().getUsage();
		if (usage == null || usage.getPromptTokens() == null
				|| usage.getPromptTokens() == 0 && usage.getCompletionTokens() == 0) {
			return null;
		}
		return new OpenAiApi.Usage(usage.getPromptTokens(), usage.getCompletionTokens(), usage.getTotalTokens());
	}

	private static String id(ChatResponse response) {
		String id = response.getMetadata().getId();
		return id != null && !id.isEmpty() ? id : "llcuda";
	}

	static String model(ChatResponse response) {
		String model = response.getMetadata().getModel();
		return model != null ? model : "";
	}

	private static long now() {
		return Instant.now().getEpochSecond();
	}

}
