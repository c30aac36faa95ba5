package dev.llcuda.chat;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.jspecify.annotations.Nullable;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.ai.chat.messages.AssistantMessage;
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

import dev.llcuda.engine.FinishReason;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.GenerationResult;
import dev.llcuda.engine.RequestHandle;
import dev.llcuda.engine.SamplingParams;
import dev.llcuda.grammar.Constraints;
import dev.llcuda.grammar.Grammar;
import dev.llcuda.grammar.Grammars;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ServingModel;

/**
 * Spring AI {@link ChatModel} over the llcuda engine: renders the conversation with the model's
 * chat template, submits it through the {@link RequestGuard}, and reports usage, finish reasons
 * and {@code gen_ai.client.*} observations. Cancelling a stream's subscription cancels the
 * request in the engine, which frees its KV blocks at once.
 */
public final class LlcudaChatModel implements ChatModel {

    /** The provider name in observations ({@code gen_ai.system}). */
    public static final String PROVIDER = "llcuda";

    private static final ChatModelObservationConvention DEFAULT_CONVENTION = new DefaultChatModelObservationConvention();

    private final LlcudaRuntime runtime;

    private final LlcudaChatOptions defaultOptions;

    private final RequestGuard guard;

    private final ObservationRegistry observationRegistry;

    private final Grammars grammars = new Grammars();

    private volatile @Nullable Constraints constraints;

    private @Nullable ChatModelObservationConvention observationConvention;

    public LlcudaChatModel(LlcudaRuntime runtime, LlcudaChatOptions defaultOptions, RequestGuard guard,
            ObservationRegistry observationRegistry) {
        this.runtime = runtime;
        this.defaultOptions = defaultOptions;
        this.guard = guard;
        this.observationRegistry = observationRegistry;
    }

    public void setObservationConvention(ChatModelObservationConvention observationConvention) {
        this.observationConvention = observationConvention;
    }

    /** The defaults from {@code llcuda.chat.options.*}; ChatClient merges request options into a copy. */
    @Override
    public ChatOptions getOptions() {
        return this.defaultOptions;
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return this.defaultOptions;
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        return call(prompt, model -> PromptEncoder.encode(model, prompt.getInstructions()));
    }

    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        return stream(prompt, model -> PromptEncoder.encode(model, prompt.getInstructions()));
    }

    /**
     * Continues {@code text} as it is, without the chat template (the prompt gets BOS where the
     * vocabulary asks for it, and control-token texts stay plain text), as {@code llcuda generate} does.
     */
    public ChatResponse complete(String text, @Nullable ChatOptions options) {
        return call(new Prompt(text, options), model -> PromptEncoder.encodeText(model, text));
    }

    /** {@link #complete} as a stream of text pieces, the last one carrying finish reason and usage. */
    public Flux<ChatResponse> streamCompletion(String text, @Nullable ChatOptions options) {
        return stream(new Prompt(text, options), model -> PromptEncoder.encodeText(model, text));
    }

    private ChatResponse call(Prompt prompt, Function<ServingModel, int[]> encoder) {
        Prompt effective = withEffectiveOptions(prompt);
        ChatModelObservationContext context = ChatModelObservationContext.builder().prompt(effective)
                .provider(PROVIDER).build();
        return ChatModelObservationDocumentation.CHAT_MODEL_OPERATION
                .observation(this.observationConvention, DEFAULT_CONVENTION, () -> context, this.observationRegistry)
                .observe(() -> {
                    Submitted submitted = submit(effective, encoder);
                    GenerationResult result = join(submitted.handle());
                    ChatResponse response = new ChatResponse(
                            List.of(new Generation(new AssistantMessage(result.text()), generationMetadata(result))),
                            responseMetadata(submitted, result));
                    context.setResponse(response);
                    return response;
                });
    }

    private Flux<ChatResponse> stream(Prompt prompt, Function<ServingModel, int[]> encoder) {
        return Flux.deferContextual(contextView -> {
            Prompt effective = withEffectiveOptions(prompt);
            ChatModelObservationContext context = ChatModelObservationContext.builder().prompt(effective)
                    .provider(PROVIDER).streaming(true).build();
            Observation observation = ChatModelObservationDocumentation.CHAT_MODEL_OPERATION.observation(
                    this.observationConvention, DEFAULT_CONVENTION, () -> context, this.observationRegistry);
            observation.parentObservation(contextView.getOrDefault(ObservationThreadLocalAccessor.KEY, null)).start();
            Submitted submitted;
            try {
                submitted = submit(effective, encoder);
            } catch (RuntimeException e) {
                observation.error(e);
                observation.stop();
                return Flux.error(e);
            }
            RequestHandle handle = submitted.handle();
            Flux<ChatResponse> pieces = JdkFlowAdapter.flowPublisherToFlux(handle.pieces())
                    .filter(piece -> !piece.text().isEmpty())
                    .map(piece -> new ChatResponse(List.of(new Generation(new AssistantMessage(piece.text()))),
                            ChatResponseMetadata.builder().id(submitted.id()).model(submitted.modelName()).build()));
            Mono<ChatResponse> last = Mono.fromFuture(handle.result(), true).flatMap(result -> finished(submitted, result));
            Flux<ChatResponse> responses = pieces.concatWith(last).doOnCancel(handle::cancel);
            return new MessageAggregator().aggregate(responses, context::setResponse)
                    .doOnError(observation::error)
                    .doFinally(signal -> observation.stop())
                    .contextWrite(reactorContext -> reactorContext.put(ObservationThreadLocalAccessor.KEY, observation));
        });
    }

    private Mono<ChatResponse> finished(Submitted submitted, GenerationResult result) {
        if (result.finishReason() == FinishReason.ERROR) {
            return Mono.error(engineFailure(result));
        }
        return Mono.just(new ChatResponse(
                List.of(new Generation(new AssistantMessage(""), generationMetadata(result))),
                responseMetadata(submitted, result)));
    }

    private Submitted submit(Prompt prompt, Function<ServingModel, int[]> encoder) {
        LlcudaChatOptions options = (LlcudaChatOptions) prompt.getOptions();
        ServingModel model = this.runtime.requireServing();
        int[] tokens = encoder.apply(model);
        GenerationRequest request = new GenerationRequest(tokens, sampling(options), maxTokens(options),
                stopSequences(options), Optional.empty());
        LlcudaResponseFormat format = options.getResponseFormat();
        if (format != null) {
            request = request.withConstraint(constraints(model).masks(grammar(format)));
        }
        RequestHandle handle = this.guard.admit(request, model.engine()::submit);
        return new Submitted(handle, model.spec().name());
    }

    /** The served model's constraints, made again when another model (another vocabulary) serves. */
    private Constraints constraints(ServingModel model) {
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

    /** The request's options over the defaults; portable options of any other kind are taken over. */
    LlcudaChatOptions effectiveOptions(@Nullable ChatOptions requested) {
        if (requested == null) {
            return this.defaultOptions;
        }
        LlcudaChatOptions llcuda = requested instanceof LlcudaChatOptions options ? options
                : LlcudaChatOptions.builder().combineWith(requested.mutate()).build();
        return llcuda.overriding(this.defaultOptions);
    }

    private static SamplingParams sampling(LlcudaChatOptions options) {
        Long seed = options.getSeed();
        return new SamplingParams(floatOr(options.getTemperature(), 0.8), intOr(options.getTopK(), 0),
                floatOr(options.getTopP(), 1.0), floatOr(options.getMinP(), 0.0),
                floatOr(options.getRepetitionPenalty(), 1.0), floatOr(options.getFrequencyPenalty(), 0.0),
                floatOr(options.getPresencePenalty(), 0.0), seed != null ? seed : ThreadLocalRandom.current().nextLong());
    }

    private static int maxTokens(LlcudaChatOptions options) {
        Integer maxTokens = options.getMaxTokens();
        if (maxTokens != null && maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        }
        return maxTokens != null ? maxTokens : 512;
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

    private static GenerationResult join(RequestHandle handle) {
        GenerationResult result;
        try {
            result = handle.result().join();
        } catch (CompletionException e) {
            handle.cancel();
            throw e;
        }
        if (result.finishReason() == FinishReason.ERROR) {
            throw engineFailure(result);
        }
        return result;
    }

    private static LlcudaEngineException engineFailure(GenerationResult result) {
        Throwable cause = result.error().orElse(null);
        return new LlcudaEngineException("the engine failed while generating: "
                + (cause != null ? cause.getMessage() : "unknown reason"), cause);
    }

    private static ChatGenerationMetadata generationMetadata(GenerationResult result) {
        return ChatGenerationMetadata.builder().finishReason(result.finishReason().name()).build();
    }

    private static ChatResponseMetadata responseMetadata(Submitted submitted, GenerationResult result) {
        return ChatResponseMetadata.builder()
                .id(submitted.id())
                .model(submitted.modelName())
                .usage(new DefaultUsage(result.promptTokens(), result.generatedTokens(),
                        result.promptTokens() + result.generatedTokens(), result))
                .build();
    }

    private record Submitted(RequestHandle handle, String modelName) {

        /** The response id: the same on every piece of a stream. */
        String id() {
            return "llcuda-" + this.handle.id();
        }
    }
}
