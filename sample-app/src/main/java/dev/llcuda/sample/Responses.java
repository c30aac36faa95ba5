package dev.llcuda.sample;

import java.io.IOException;

import reactor.core.publisher.Flux;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * One JSON body or a stream of server-sent events from the same handler (OpenAI's API
 * picks by the request's {@code stream} field).
 */
final class Responses {

	private Responses() {
	}

	static ResponseEntity<ResponseBodyEmitter> json(Object body) throws IOException {
		ResponseBodyEmitter emitter = new ResponseBodyEmitter();
		emitter.send(body, MediaType.APPLICATION_JSON);
		emitter.complete();
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(emitter);
	}

	/**
	 * Each element as one JSON event, then {@code [DONE]}; a request refused before it
	 * started throws here (see {@link EventStream}).
	 */
	static ResponseEntity<ResponseBodyEmitter> events(Flux<?> elements, InFlightRequests requests) {
		return ResponseEntity.ok()
			.contentType(MediaType.TEXT_EVENT_STREAM)
			.body(new EventStream(requests).start(elements));
	}

}
