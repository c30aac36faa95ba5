package dev.llcuda.sample;

import org.jspecify.annotations.Nullable;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * The chat API of the web page, through Spring AI's {@link ChatClient}: {@code POST /api/chat} answers
 * at once, {@code GET /api/chat/stream?message=...} streams the answer as server-sent events (ending
 * with {@code [DONE]}).
 */
@RestController
@RequestMapping("/api")
public class ChatController {

    private final ChatClient chatClient;

    private final ServiceStatus status;

    private final InFlightRequests requests;

    public ChatController(ChatClient chatClient, ServiceStatus status, InFlightRequests requests) {
        this.chatClient = chatClient;
        this.status = status;
        this.requests = requests;
    }

    @PostMapping("/chat")
    public Reply chat(@RequestBody Question question) {
        ChatResponse response = this.requests.call(() -> prompt(question.message(), question.system()).call()
                .chatResponse());
        String text = response != null && response.getResult() != null ? response.getResult().getOutput().getText() : "";
        return new Reply(text != null ? text : "");
    }

    @GetMapping("/chat/stream")
    public ResponseEntity<ResponseBodyEmitter> stream(@RequestParam String message,
            @RequestParam(required = false) @Nullable String system) {
        return Responses.events(prompt(message, system).stream().content().map(Piece::new), this.requests);
    }

    @GetMapping("/status")
    public ServiceStatus.View status() {
        return this.status.view();
    }

    private ChatClient.ChatClientRequestSpec prompt(String message, @Nullable String system) {
        ChatClient.ChatClientRequestSpec spec = this.chatClient.prompt().user(message);
        return system != null && !system.isBlank() ? spec.system(system) : spec;
    }

    public record Question(String message, @Nullable String system) {
    }

    public record Reply(String reply) {
    }

    public record Piece(String text) {
    }
}
