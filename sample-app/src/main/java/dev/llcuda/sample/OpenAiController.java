package dev.llcuda.sample;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
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
import dev.llcuda.registry.ModelRecord;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.runtime.LlcudaRuntime;

/**
 * OpenAI-compatible endpoints: {@code POST /v1/chat/completions} and {@code POST /v1/completions}
 * (JSON, or server-sent events ending with {@code [DONE]} when {@code "stream": true}) and
 * {@code GET /v1/models}. One model serves at a time; the request's {@code model} is not used to pick one.
 */
@RestController
@RequestMapping("/v1")
public class OpenAiController {

    private final LlcudaChatModel chatModel;

    private final LlcudaRuntime runtime;

    private final ObjectProvider<ModelRegistry> registry;

    private final InFlightRequests requests;

    public OpenAiController(LlcudaChatModel chatModel, LlcudaRuntime runtime, ObjectProvider<ModelRegistry> registry,
            InFlightRequests requests) {
        this.chatModel = chatModel;
        this.runtime = runtime;
        this.registry = registry;
        this.requests = requests;
    }

    @PostMapping("/chat/completions")
    public ResponseEntity<ResponseBodyEmitter> chat(@RequestBody OpenAiApi.ChatRequest request) throws IOException {
        Prompt prompt = new Prompt(messages(request.messages()), options(request));
        if (request.streaming()) {
            long created = now();
            return Responses.events(this.chatModel.stream(prompt)
                    .map(response -> new OpenAiApi.ChatResponse(id(response), "chat.completion.chunk", created,
                            model(response), List.of(new OpenAiApi.ChatChoice(0, null,
                                    new OpenAiApi.Delta(null, text(response)), finishReason(response))),
                            usage(response))), this.requests);
        }
        ChatResponse response = this.requests.call(() -> this.chatModel.call(prompt));
        OpenAiApi.ChatChoice choice = new OpenAiApi.ChatChoice(0,
                new OpenAiApi.Message("assistant", text(response)), null, finishReason(response));
        return Responses.json(new OpenAiApi.ChatResponse(id(response), "chat.completion", now(), model(response),
                List.of(choice), usage(response)));
    }

    @PostMapping("/completions")
    public ResponseEntity<ResponseBodyEmitter> complete(@RequestBody OpenAiApi.CompletionRequest request)
            throws IOException {
        if (request.streaming()) {
            long created = now();
            return Responses.events(this.chatModel.streamCompletion(prompt(request.prompt()), options(request))
                    .map(response -> new OpenAiApi.CompletionResponse(id(response), "text_completion", created,
                            model(response), List.of(new OpenAiApi.TextChoice(0, text(response),
                                    finishReason(response))), usage(response))), this.requests);
        }
        ChatResponse response = this.requests.call(
                () -> this.chatModel.complete(prompt(request.prompt()), options(request)));
        return Responses.json(new OpenAiApi.CompletionResponse(id(response), "text_completion", now(),
                model(response), List.of(new OpenAiApi.TextChoice(0, text(response), finishReason(response))),
                usage(response)));
    }

    @GetMapping("/models")
    public OpenAiApi.ModelList models() {
        List<OpenAiApi.Model> models = new ArrayList<>();
        this.runtime.serving().ifPresent(serving -> models
                .add(new OpenAiApi.Model(serving.spec().name(), "model", now(), "llcuda")));
        ModelRegistry modelRegistry = this.registry.getIfAvailable();
        if (modelRegistry != null) {
            for (ModelRecord model : modelRegistry.models()) {
                if (models.stream().noneMatch(known -> known.id().equals(model.facts().name()))) {
                    models.add(new OpenAiApi.Model(model.facts().name(), "model",
                            model.registeredAt().getEpochSecond(), "llcuda"));
                }
            }
        }
        return new OpenAiApi.ModelList("list", models);
    }

    static List<Message> messages(@Nullable List<OpenAiApi.Message> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("messages is required: a non-empty array of {\"role\", \"content\"} objects");
        }
        return messages.stream().<Message>map(message -> switch (role(message)) {
            case "system", "developer" -> new SystemMessage(message.content());
            case "assistant" -> new AssistantMessage(message.content());
            case "user" -> new UserMessage(message.content());
            default -> throw new IllegalArgumentException("unknown message role '" + message.role()
                    + "' (system, user or assistant)");
        }).toList();
    }

    private static String role(OpenAiApi.@Nullable Message message) {
        if (message == null || message.role() == null) {
            throw new IllegalArgumentException("every message needs a role (system, user or assistant)");
        }
        return message.role();
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
        return LlcudaChatOptions.builder().temperature(request.temperature()).topP(request.topP())
                .topK(request.topK()).minP(request.minP()).maxTokens(request.maxTokens())
                .stopSequences(stops(request.stop())).frequencyPenalty(request.frequencyPenalty())
                .presencePenalty(request.presencePenalty()).repetitionPenalty(request.repeatPenalty())
                .seed(request.seed()).build();
    }

    private static String text(ChatResponse response) {
        String text = response.getResult() != null ? response.getResult().getOutput().getText() : null;
        return text != null ? text : "";
    }

    private static @Nullable String finishReason(ChatResponse response) {
        String reason = response.getResult() != null ? response.getResult().getMetadata().getFinishReason() : null;
        return reason != null ? reason.toLowerCase(Locale.ROOT) : null;
    }

    private static OpenAiApi.@Nullable Usage usage(ChatResponse response) {
        var usage = response.getMetadata().getUsage();
        if (usage == null || usage.getPromptTokens() == null || usage.getPromptTokens() == 0
                && usage.getCompletionTokens() == 0) {
            return null;
        }
        return new OpenAiApi.Usage(usage.getPromptTokens(), usage.getCompletionTokens(), usage.getTotalTokens());
    }

    private static String id(ChatResponse response) {
        String id = response.getMetadata().getId();
        return id != null && !id.isEmpty() ? id : "llcuda";
    }

    private static String model(ChatResponse response) {
        String model = response.getMetadata().getModel();
        return model != null ? model : "";
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }
}
