package dev.llcuda.chat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.jspecify.annotations.Nullable;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.model.MessageAggregator;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.chat.observation.ChatModelObservationDocumentation;
import org.springframework.ai.chat.observation.DefaultChatModelObservationConvention;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.definition.ToolDefinition;

import dev.llcuda.engine.Cancellation;
import dev.llcuda.engine.FinishReason;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.GenerationResult;
import dev.llcuda.engine.InvalidRequestException;
import dev.llcuda.engine.RequestHandle;
import dev.llcuda.engine.SamplingParams;
import dev.llcuda.engine.TokenLogprobs;
import dev.llcuda.grammar.Constraints;
import dev.llcuda.grammar.Grammar;
import dev.llcuda.grammar.Grammars;
import dev.llcuda.template.ChatTemplate;
import dev.llcuda.tokenizer.Tokenizer;
import dev.llcuda.tools.ParsedReply;
import dev.llcuda.tools.ToolCallFormat;
import dev.llcuda.tools.ToolCallStream;
import dev.llcuda.tools.ToolCallSyntax;

/**
 * Spring AI {@link ChatModel} over the llcuda engine: renders the conversation with the
 * model's chat template, submits it through the {@link RequestGuard}, and reports usage,
 * finish reasons and {@code gen_ai.client.*} observations. Cancelling a stream's
 * subscription cancels the request in the engine, which frees its KV blocks at once.
 *
 * <p>
 * Tools (the options' tool callbacks, resolved by the {@link ToolCallingManager}) reach
 * the model through its chat template, and the calls it writes come back as
 * {@link AssistantMessage.ToolCall}s with finish reason {@value #TOOL_CALLS}; as in
 * Spring AI 2.0, running them is the job of {@code ChatClient}'s tool-calling advisor (or
 * of the caller). A template whose tool syntax llcuda cannot read is refused rather than
 * the tools dropped.
 */
public final class LlcudaChatModel implements ChatModel {

	/** The provider name in observations ({@code gen_ai.system}). */
	public static final String PROVIDER = "llcuda";

	/** The finish reason of a reply that calls tools. */
	public static final String TOOL_CALLS = "TOOL_CALLS";

	/**
	 * The generation metadata key of the {@link LlcudaLogprobs} a request with
	 * {@link LlcudaChatOptions#getLogprobs()} gets (the key of Spring AI's OpenAI model):
	 * the whole reply's in a call, each piece's in a stream.
	 */
	public static final String LOGPROBS_METADATA = "logprobs";

	private static final ChatModelObservationConvention DEFAULT_CONVENTION = new DefaultChatModelObservationConvention();

	private static final String TOOL_CALL_ID_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	private final LlcudaChatProvider provider;

	private final LlcudaChatOptions defaultOptions;

	private final RequestGuard guard;

	private final ObservationRegistry observationRegistry;

	private final ToolCallingManager toolCallingManager;

	/**
	 * The tool-call format of each template served so far (empty: a syntax llcuda cannot
	 * read).
	 */
	private final Map<ChatTemplate, Optional<ToolCallFormat>> toolFormats = Collections
		.synchronizedMap(new WeakHashMap<>());

	private final Grammars grammars = new Grammars();

	private volatile @Nullable Constraints constraints;

	private @Nullable ChatModelObservationConvention observationConvention;

	public LlcudaChatModel(LlcudaChatProvider provider, LlcudaChatOptions defaultOptions, RequestGuard guard,
			ObservationRegistry observationRegistry, ToolCallingManager toolCallingManager) {
		this.provider = provider;
		this.defaultOptions = defaultOptions;
		this.guard = guard;
		this.observationRegistry = observationRegistry;
		this.toolCallingManager = toolCallingManager;
	}

	/** A builder; only the {@link Builder#provider provider} is required. */
	public static Builder builder() {
		return new Builder();
	}

	public void setObservationConvention(ChatModelObservationConvention observationConvention) {
		this.observationConvention = observationConvention;
	}

	/**
	 * The defaults (from {@code spring.ai.llcuda.chat.*} in an application); ChatClient
	 * merges request options into a copy. Spring AI 2.0's deprecated
	 * {@code getDefaultOptions()} returns them too.
	 */
	@Override
	public ChatOptions getOptions() {
		return this.defaultOptions;
	}

	@Override
	public ChatResponse call(Prompt prompt) {
		return call(prompt, new Cancellation());
	}

	/**
	 * {@link #call(Prompt)} that {@code cancellation} cancels in the engine (it then ends
	 * as CANCELLED).
	 */
	public ChatResponse call(Prompt prompt, Cancellation cancellation) {
		return call(prompt, (model, options) -> encodeChat(model, prompt, options), cancellation);
	}

	@Override
	public Flux<ChatResponse> stream(Prompt prompt) {
		return stream(prompt, (model, options) -> encodeChat(model, prompt, options));
	}

	/**
	 * Continues {@code text} as it is, without the chat template (the prompt gets BOS
	 * where the vocabulary asks for it, and control-token texts stay plain text), as
	 * {@code llcuda generate} does.
	 */
	public ChatResponse complete(String text, @Nullable ChatOptions options) {
		return complete(text, options, new Cancellation());
	}

	/**
	 * {@link #complete(String, ChatOptions)} that {@code cancellation} cancels in the
	 * engine.
	 */
	public ChatResponse complete(String text, @Nullable ChatOptions options, Cancellation cancellation) {
		return call(new Prompt(text, options), (model, effective) -> encodeText(model, text, effective), cancellation);
	}

	/**
	 * {@link #complete} as a stream of text pieces, the last one carrying finish reason
	 * and usage.
	 */
	public Flux<ChatResponse> streamCompletion(String text, @Nullable ChatOptions options) {
		return stream(new Prompt(text, options), (model, effective) -> encodeText(model, text, effective));
	}

	/**
	 * Tools, and earlier tool turns even without tools, are written the way the
	 * template's format says; only a reply to a prompt that offers tools is read for
	 * calls.
	 */
	private EncodedPrompt encodeChat(ServedChatModel model, Prompt prompt, LlcudaChatOptions options) {
		LlcudaToolChoice choice = toolChoice(options);
		List<ToolDefinition> tools = hasTools(options) && choice.mode() != LlcudaToolChoice.Mode.NONE
				? this.toolCallingManager.resolveToolDefinitions(options) : List.of();
		if (choice.forcesCalls() && tools.isEmpty()) {
			throw new IllegalArgumentException("tool_choice " + describe(choice) + " needs tools to call");
		}
		if (tools.isEmpty() && prompt.getInstructions().stream().noneMatch(LlcudaChatModel::isToolTurn)) {
			return new EncodedPrompt(
					PromptEncoder.encode(model, prompt.getInstructions(), null, parsesSpecialInContent(options)), null,
					null);
		}
		ChatTemplate template = model.template();
		ToolCallFormat format = this.toolFormats.computeIfAbsent(template, ToolCallFormat::detect)
			.orElseThrow(() -> new IllegalArgumentException("the chat template " + template.name()
					+ " writes tool calls in a syntax llcuda cannot read (it reads Llama 3 JSON, Hermes/Qwen "
					+ "<tool_call>, Mistral [TOOL_CALLS], or templates without tool syntax through a system "
					+ "prompt), so this model cannot be given tools"));
		return new EncodedPrompt(
				PromptEncoder.encode(model, prompt.getInstructions(), ToolPrompt.of(format, tools),
						parsesSpecialInContent(options)),
				tools.isEmpty() ? null : format.syntax(),
				choice.forcesCalls() ? forcedCalls(format, tools, choice, parallelCalls(options)) : null);
	}

	private static LlcudaToolChoice toolChoice(LlcudaChatOptions options) {
		return options.getToolChoice() != null ? options.getToolChoice() : LlcudaToolChoice.auto();
	}

	private static boolean parallelCalls(LlcudaChatOptions options) {
		return !Boolean.FALSE.equals(options.getParallelToolCalls());
	}

	private static String describe(LlcudaToolChoice choice) {
		return choice.mode() == LlcudaToolChoice.Mode.FUNCTION ? "function '" + choice.function() + "'"
				: choice.mode().name().toLowerCase(Locale.ROOT);
	}

	/**
	 * The grammar that holds the reply to calls (of the named tool, or of any) in the
	 * template's syntax, each call's arguments under its tool's parameter schema; one
	 * call unless parallel.
	 */
	private Grammar forcedCalls(ToolCallFormat format, List<ToolDefinition> tools, LlcudaToolChoice choice,
			boolean several) {
		Map<String, String> schemas = new LinkedHashMap<>();
		for (ToolDefinition tool : tools) {
			if (choice.mode() == LlcudaToolChoice.Mode.REQUIRED || tool.name().equals(choice.function())) {
				schemas.put(tool.name(), tool.inputSchema());
			}
		}
		if (schemas.isEmpty()) {
			throw new IllegalArgumentException("tool_choice names the function '" + choice.function()
					+ "', which is not among the tools: " + tools.stream().map(ToolDefinition::name).toList());
		}
		return format.forcedCalls(this.grammars, schemas, several);
	}

	private static boolean isToolTurn(Message message) {
		return message instanceof ToolResponseMessage
				|| message instanceof AssistantMessage assistant && assistant.hasToolCalls();
	}

	private static EncodedPrompt encodeText(ServedChatModel model, String text, LlcudaChatOptions options) {
		if (hasTools(options) || toolChoice(options).forcesCalls()) {
			throw new IllegalArgumentException(
					"tools need a chat conversation; a plain-text completion has no " + "place for them");
		}
		return new EncodedPrompt(PromptEncoder.encodeText(model, text), null, null);
	}

	private static boolean hasTools(LlcudaChatOptions options) {
		List<?> callbacks = options.getToolCallbacks();
		return callbacks != null && !callbacks.isEmpty();
	}

	private ChatResponse call(Prompt prompt, BiFunction<ServedChatModel, LlcudaChatOptions, EncodedPrompt> encoder,
			Cancellation cancellation) {
		Prompt effective = withEffectiveOptions(prompt);
		ChatModelObservationContext context = ChatModelObservationContext.builder()
			.prompt(effective)
			.provider(PROVIDER)
			.build();
		return ChatModelObservationDocumentation.CHAT_MODEL_OPERATION
			.observation(this.observationConvention, DEFAULT_CONVENTION, () -> context, this.observationRegistry)
			.observe(() -> {
				Submitted submitted;
				GenerationResult result;
				try {
					submitted = submit(effective, encoder);
					cancellation.onCancel(submitted.handle()::cancel);
					result = join(submitted.handle());
				}
				catch (RuntimeException e) {
					throw AiExceptions.translate(e);
				}
				ParsedReply reply = submitted.limit(submitted.toolCalls() != null
						? submitted.toolCalls().parse(result.text()) : new ParsedReply(result.text(), List.of()));
				ChatResponse response = new ChatResponse(
						List.of(generation(reply, result, submitted.logprobs(result.logprobs()))),
						responseMetadata(submitted, result));
				context.setResponse(response);
				return response;
			});
	}

	private Flux<ChatResponse> stream(Prompt prompt,
			BiFunction<ServedChatModel, LlcudaChatOptions, EncodedPrompt> encoder) {
		return Flux.deferContextual(contextView -> {
			Prompt effective = withEffectiveOptions(prompt);
			ChatModelObservationContext context = ChatModelObservationContext.builder()
				.prompt(effective)
				.provider(PROVIDER)
				.streaming(true)
				.build();
			Observation observation = ChatModelObservationDocumentation.CHAT_MODEL_OPERATION
				.observation(this.observationConvention, DEFAULT_CONVENTION, () -> context, this.observationRegistry);
			observation.parentObservation(contextView.getOrDefault(ObservationThreadLocalAccessor.KEY, null)).start();
			Submitted submitted;
			try {
				submitted = submit(effective, encoder);
			}
			catch (RuntimeException e) {
				RuntimeException translated = AiExceptions.translate(e);
				observation.error(translated);
				observation.stop();
				return Flux.error(translated);
			}
			RequestHandle handle = submitted.handle();
			ToolCallStream toolCalls = submitted.toolCalls() != null ? new ToolCallStream(submitted.toolCalls()) : null;
			Flux<ChatResponse> pieces = JdkFlowAdapter.flowPublisherToFlux(handle.pieces())
				.map(piece -> new StreamedPiece(toolCalls != null ? toolCalls.accept(piece.text()) : piece.text(),
						piece.logprobs() != null ? submitted.logprobs(List.of(piece.logprobs())) : null))
				.filter(piece -> !piece.text().isEmpty() || piece.logprobs() != null)
				.map(piece -> new ChatResponse(List.of(piece.generation()),
						ChatResponseMetadata.builder().id(submitted.id()).model(submitted.modelName()).build()));
			Mono<ChatResponse> last = Mono.fromFuture(handle.result(), true)
				.flatMap(result -> finished(submitted, result, toolCalls));
			Flux<ChatResponse> responses = pieces.concatWith(last)
				.onErrorMap(AiExceptions::translate)
				.doOnCancel(handle::cancel);
			return new MessageAggregator().aggregate(responses, context::setResponse)
				.doOnError(observation::error)
				.doFinally(signal -> observation.stop())
				.contextWrite(reactorContext -> reactorContext.put(ObservationThreadLocalAccessor.KEY, observation));
		});
	}

	/**
	 * The last response of a stream: finish reason, usage, and the held-back rest of a
	 * reply with tool calls.
	 */
	private static Mono<ChatResponse> finished(Submitted submitted, GenerationResult result,
			@Nullable ToolCallStream toolCalls) {
		if (result.finishReason() == FinishReason.ERROR) {
			return Mono.error(engineFailure(result));
		}
		ParsedReply rest = submitted.limit(toolCalls != null ? toolCalls.finish() : new ParsedReply("", List.of()));
		return Mono
			.just(new ChatResponse(List.of(generation(rest, result, null)), responseMetadata(submitted, result)));
	}

	private Submitted submit(Prompt prompt, BiFunction<ServedChatModel, LlcudaChatOptions, EncodedPrompt> encoder) {
		LlcudaChatOptions options = (LlcudaChatOptions) Objects.requireNonNull(prompt.getOptions());
		ServedChatModel model = this.provider.serving(options.getModel());
		EncodedPrompt encoded = encoder.apply(model, options);
		GenerationRequest request = new GenerationRequest(encoded.tokens(), sampling(options), maxTokens(options),
				stopSequences(options), Optional.empty());
		LlcudaResponseFormat format = options.getResponseFormat();
		if (format != null && encoded.forcedCalls() != null) {
			throw new IllegalArgumentException("response_format cannot be combined with a tool_choice that forces "
					+ "tool calls: the reply is then the calls");
		}
		if (format != null) {
			request = request.withConstraint(constraints(model).masks(grammar(format)));
		}
		if (options.getAdapter() != null && options.getAdapters() != null) {
			throw new IllegalArgumentException("the options name an adapter and stacked adapters; set one of them");
		}
		if (options.getAdapter() != null) {
			request = request.withAdapter(options.getAdapter());
		}
		if (options.getAdapters() != null) {
			request = request.withAdapters(options.getAdapters());
		}
		if (encoded.forcedCalls() != null) {
			request = request.withConstraint(constraints(model).masks(encoded.forcedCalls()));
		}
		if (Boolean.TRUE.equals(options.getLogprobs())) {
			request = request.withLogprobs(options.getTopLogprobs() != null ? options.getTopLogprobs() : 0);
		}
		else if (options.getTopLogprobs() != null) {
			throw new IllegalArgumentException("top_logprobs needs logprobs: true");
		}
		RequestHandle handle = this.guard.admit(request, model.engine()::submit);
		return new Submitted(handle, model.name(), encoded.toolCalls(), model.tokenizer(),
				Boolean.TRUE.equals(options.getLogprobs()), parallelCalls(options));
	}

	/**
	 * The served model's constraints, made again when another model (another vocabulary)
	 * serves.
	 */
	private Constraints constraints(ServedChatModel model) {
		Constraints current = this.constraints;
		if (current == null || current.tokenizer() != model.tokenizer()) {
			current = new Constraints(model.tokenizer());
			this.constraints = current;
		}
		return current;
	}

	private Grammar grammar(LlcudaResponseFormat format) {
		return switch (format.type()) {
			case JSON_OBJECT -> this.grammars.jsonObject();
			case JSON_SCHEMA -> this.grammars.jsonSchema(Objects.requireNonNull(format.schema()));
		};
	}

	private Prompt withEffectiveOptions(Prompt prompt) {
		return prompt.mutate().chatOptions(effectiveOptions(prompt.getOptions())).build();
	}

	private static boolean parsesSpecialInContent(LlcudaChatOptions options) {
		return Boolean.TRUE.equals(options.getParseSpecialInContent());
	}

	/**
	 * The request's options over the defaults; portable options of any other kind are
	 * taken over.
	 */
	LlcudaChatOptions effectiveOptions(@Nullable ChatOptions requested) {
		if (requested == null) {
			return this.defaultOptions;
		}
		LlcudaChatOptions llcuda = requested instanceof LlcudaChatOptions options ? options
				: LlcudaChatOptions.builder().combineWith(requested.mutate()).build();
		return llcuda.overriding(this.defaultOptions);
	}

	/**
	 * The options over the engine's defaults; {@link SamplingParams} validates them
	 * (InvalidRequestException).
	 */
	private static SamplingParams sampling(LlcudaChatOptions options) {
		Long seed = options.getSeed();
		return new SamplingParams(floatOr(options.getTemperature(), SamplingParams.DEFAULT_TEMPERATURE),
				intOr(options.getTopK(), SamplingParams.DEFAULT_TOP_K),
				floatOr(options.getTopP(), SamplingParams.DEFAULT_TOP_P),
				floatOr(options.getMinP(), SamplingParams.DEFAULT_MIN_P),
				floatOr(options.getRepetitionPenalty(), SamplingParams.DEFAULT_REPETITION_PENALTY),
				floatOr(options.getFrequencyPenalty(), SamplingParams.DEFAULT_FREQUENCY_PENALTY),
				floatOr(options.getPresencePenalty(), SamplingParams.DEFAULT_PRESENCE_PENALTY),
				seed != null ? seed : ThreadLocalRandom.current().nextLong());
	}

	private static int maxTokens(LlcudaChatOptions options) {
		Integer maxTokens = options.getMaxTokens();
		return maxTokens != null ? maxTokens : GenerationRequest.DEFAULT_MAX_TOKENS;
	}

	private static List<String> stopSequences(LlcudaChatOptions options) {
		List<String> stops = options.getStopSequences();
		return stops != null ? stops : List.of();
	}

	private static float floatOr(@Nullable Double value, double otherwise) {
		return (float) (value != null ? value : otherwise);
	}

	private static int intOr(@Nullable Integer value, int otherwise) {
		return value != null ? value : otherwise;
	}

	/**
	 * Waits for the result; an interruption of the waiting thread cancels the request.
	 */
	private static GenerationResult join(RequestHandle handle) {
		GenerationResult result;
		try {
			result = handle.result().get();
		}
		catch (InterruptedException e) {
			handle.cancel();
			Thread.currentThread().interrupt();
			throw new CancellationException("request " + handle.id() + " cancelled: its thread was interrupted");
		}
		catch (ExecutionException e) {
			handle.cancel();
			throw new CompletionException(e.getCause());
		}
		if (result.finishReason() == FinishReason.ERROR) {
			throw engineFailure(result);
		}
		return result;
	}

	/**
	 * A request the engine refused alone stays a client mistake
	 * (IllegalArgumentException); any other error is the engine's.
	 */
	private static RuntimeException engineFailure(GenerationResult result) {
		Throwable cause = result.error().orElse(null);
		if (cause instanceof InvalidRequestException invalid) {
			return new InvalidRequestException(String.valueOf(invalid.getMessage()), invalid);
		}
		return new LlcudaEngineException(
				"the engine failed while generating: " + (cause != null ? cause.getMessage() : "unknown reason"),
				cause);
	}

	private static Generation generation(ParsedReply reply, GenerationResult result,
			@Nullable LlcudaLogprobs logprobs) {
		List<AssistantMessage.ToolCall> calls = reply.toolCalls()
			.stream()
			.map(call -> new AssistantMessage.ToolCall(toolCallId(), "function", call.name(), call.arguments()))
			.toList();
		String finishReason = calls.isEmpty() ? result.finishReason().name() : TOOL_CALLS;
		ChatGenerationMetadata.Builder metadata = ChatGenerationMetadata.builder().finishReason(finishReason);
		if (logprobs != null) {
			metadata.metadata(LOGPROBS_METADATA, logprobs);
		}
		return new Generation(AssistantMessage.builder().content(reply.content()).toolCalls(calls).build(),
				metadata.build());
	}

	/**
	 * Nine letters and digits: the one id shape every template accepts (Mistral's insist
	 * on it).
	 */
	private static String toolCallId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		StringBuilder id = new StringBuilder(9);
		for (int i = 0; i < 9; i++) {
			id.append(TOOL_CALL_ID_CHARACTERS.charAt(random.nextInt(TOOL_CALL_ID_CHARACTERS.length())));
		}
		return id.toString();
	}

	private static ChatResponseMetadata responseMetadata(Submitted submitted, GenerationResult result) {
		return ChatResponseMetadata.builder()
			.id(submitted.id())
			.model(submitted.modelName())
			.usage(new DefaultUsage(result.promptTokens(), result.generatedTokens(),
					result.promptTokens() + result.generatedTokens(), result))
			.build();
	}

	/**
	 * A prompt's tokens and, when it offers tools, the syntax the model's calls come back
	 * in and the grammar that holds the reply to calls when the tool choice forces them.
	 */
	private record EncodedPrompt(int[] tokens, @Nullable ToolCallSyntax toolCalls, @Nullable Grammar forcedCalls) {
	}

	private record Submitted(RequestHandle handle, String modelName, @Nullable ToolCallSyntax toolCalls,
			Tokenizer tokenizer, boolean wantsLogprobs, boolean parallelCalls) {

		/**
		 * The reply with at most one tool call when the request allows no parallel calls.
		 */
		ParsedReply limit(ParsedReply reply) {
			return this.parallelCalls ? reply : reply.withFirstCallOnly();
		}

		/** The response id: the same on every piece of a stream. */
		String id() {
			return "llcuda-" + this.handle.id();
		}

		/**
		 * The tokens' log-probabilities as metadata, or null when the request did not ask
		 * for them.
		 */
		@Nullable LlcudaLogprobs logprobs(List<TokenLogprobs> tokens) {
			return this.wantsLogprobs ? LlcudaLogprobs.of(tokens, this.tokenizer) : null;
		}
	}

	/** A streamed piece's text and, when asked for, its token's log-probabilities. */
	private record StreamedPiece(String text, @Nullable LlcudaLogprobs logprobs) {

		Generation generation() {
			if (this.logprobs == null) {
				return new Generation(new AssistantMessage(this.text));
			}
			return new Generation(new AssistantMessage(this.text),
					ChatGenerationMetadata.builder().metadata(LOGPROBS_METADATA, this.logprobs).build());
		}
	}

	/**
	 * Builds a {@link LlcudaChatModel} without a Spring context. Unset: the engine's
	 * default options, {@link RequestGuard#deadline} of
	 * {@link RequestGuard#DEFAULT_TIME_LIMIT}, no observations, Spring AI's default tool
	 * resolution.
	 */
	public static final class Builder {

		private @Nullable LlcudaChatProvider provider;

		private LlcudaChatOptions defaultOptions = LlcudaChatOptions.builder().build();

		private RequestGuard requestGuard = RequestGuard.deadline(RequestGuard.DEFAULT_TIME_LIMIT);

		private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

		private @Nullable ToolCallingManager toolCallingManager;

		private @Nullable ChatModelObservationConvention observationConvention;

		private Builder() {
		}

		/** Where requests find the model serving them. */
		public Builder provider(LlcudaChatProvider provider) {
			this.provider = provider;
			return this;
		}

		public Builder defaultOptions(LlcudaChatOptions defaultOptions) {
			this.defaultOptions = defaultOptions;
			return this;
		}

		public Builder requestGuard(RequestGuard requestGuard) {
			this.requestGuard = requestGuard;
			return this;
		}

		public Builder observationRegistry(ObservationRegistry observationRegistry) {
			this.observationRegistry = observationRegistry;
			return this;
		}

		public Builder toolCallingManager(ToolCallingManager toolCallingManager) {
			this.toolCallingManager = toolCallingManager;
			return this;
		}

		public Builder observationConvention(ChatModelObservationConvention observationConvention) {
			this.observationConvention = observationConvention;
			return this;
		}

		/**
		 * @throws IllegalStateException when no provider was given
		 */
		public LlcudaChatModel build() {
			if (this.provider == null) {
				throw new IllegalStateException("LlcudaChatModel.builder() needs a provider of the model to serve");
			}
			LlcudaChatModel model = new LlcudaChatModel(this.provider, this.defaultOptions, this.requestGuard,
					this.observationRegistry, this.toolCallingManager != null ? this.toolCallingManager
							: ToolCallingManager.builder().observationRegistry(this.observationRegistry).build());
			if (this.observationConvention != null) {
				model.setObservationConvention(this.observationConvention);
			}
			return model;
		}

	}

}
