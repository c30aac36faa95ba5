package dev.llcuda.sample;

import java.io.IOException;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One JSON body or a stream of server-sent events from the same handler (OpenAI's API picks by the
 * request's {@code stream} field). A client that disconnects cancels the stream's subscription,
 * which cancels the generation in the engine.
 */
final class Responses {

    /** The last event of an OpenAI stream. */
    static final String DONE = "[DONE]";

    private Responses() {
    }

    static ResponseEntity<ResponseBodyEmitter> json(Object body) throws IOException {
        ResponseBodyEmitter emitter = new ResponseBodyEmitter();
        emitter.send(body, MediaType.APPLICATION_JSON);
        emitter.complete();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(emitter);
    }

    /** Each element as one JSON event; then {@code done} (when not null) as a last plain event. */
    static ResponseEntity<ResponseBodyEmitter> events(Flux<?> elements, String done) {
        SseEmitter emitter = new SseEmitter(0L);
        Disposable subscription = elements.subscribe(element -> send(emitter, element),
                error -> {
                    send(emitter, new OpenAiApi.ErrorBody(new OpenAiApi.Error(String.valueOf(error.getMessage()),
                            ApiExceptionHandler.typeOf(error))));
                    emitter.complete();
                },
                () -> {
                    if (!done.isEmpty()) {
                        sendText(emitter, done);
                    }
                    emitter.complete();
                });
        emitter.onCompletion(subscription::dispose);
        emitter.onTimeout(subscription::dispose);
        emitter.onError(error -> subscription.dispose());
        return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(emitter);
    }

    private static void send(SseEmitter emitter, Object element) {
        try {
            emitter.send(SseEmitter.event().data(element, MediaType.APPLICATION_JSON));
        } catch (IOException e) {
            emitter.completeWithError(e);
        }
    }

    private static void sendText(SseEmitter emitter, String text) {
        try {
            emitter.send(SseEmitter.event().data(text, MediaType.TEXT_PLAIN));
        } catch (IOException e) {
            emitter.completeWithError(e);
        }
    }
}
