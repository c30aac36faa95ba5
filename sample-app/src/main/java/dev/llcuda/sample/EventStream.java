package dev.llcuda.sample;

import java.io.IOException;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One server-sent event stream of an API answer. It is admitted before the response
 * starts: a request refused while subscribing (overload, a prompt too long, no model)
 * throws, so the client gets that refusal's status instead of 200. Once started, the
 * stream always ends with {@code [DONE]}, after an error event when it fails or the
 * shutdown ends it. A client that disconnects, and the end of a drain, cancel the
 * subscription, which cancels the generation.
 */
final class EventStream extends BaseSubscriber<Object> implements InFlightRequests.Exchange {

	/** The last event of every stream. */
	static final String DONE = "[DONE]";

	private final SseEmitter emitter = new SseEmitter(0L);

	private final InFlightRequests requests;

	private final Object lock = new Object();

	private boolean subscribing = true; // guarded by lock

	private boolean sentAny; // guarded by lock

	private boolean ended; // guarded by lock

	private @Nullable Throwable refusal; // guarded by lock

	EventStream(InFlightRequests requests) {
		this.requests = requests;
	}

	/**
	 * Subscribes to {@code elements} as one request in flight.
	 * @throws RuntimeException the refusal when the request failed before it produced
	 * anything
	 */
	SseEmitter start(Flux<?> elements) {
		this.requests.enter(this);
		this.emitter.onCompletion(this::abandon);
		this.emitter.onTimeout(this::abandon);
		this.emitter.onError(error -> abandon());
		elements.subscribe(this);
		synchronized (this.lock) {
			this.subscribing = false;
			Throwable refused = this.refusal;
			if (refused != null) {
				this.ended = true;
				this.requests.leave(this);
				throw refused instanceof RuntimeException runtime ? runtime : new IllegalStateException(refused);
			}
		}
		return this.emitter;
	}

	@Override
	protected void hookOnSubscribe(Subscription subscription) {
		subscription.request(Long.MAX_VALUE);
	}

	@Override
	protected void hookOnNext(Object element) {
		synchronized (this.lock) {
			if (!this.ended) {
				this.sentAny = true;
				send(element, MediaType.APPLICATION_JSON);
			}
		}
	}

	@Override
	protected void hookOnComplete() {
		end(null);
	}

	@Override
	protected void hookOnError(Throwable error) {
		synchronized (this.lock) {
			if (this.subscribing && !this.sentAny) {
				this.refusal = error;
				return;
			}
		}
		end(ApiErrors.report(error).body());
	}

	@Override
	public void terminate() {
		dispose();
		end(ApiErrors.of(new ServiceStoppingException("the service is shutting down; the request was cancelled"))
			.body());
	}

	/**
	 * Sends the error (when not null) and [DONE], then completes the response. The
	 * request leaves the ones in flight once the container completed the response
	 * ({@link #abandon}), so a shutdown waits for these last events to be written before
	 * the web server closes the connection.
	 */
	private void end(OpenAiApi.@Nullable ErrorBody error) {
		synchronized (this.lock) {
			if (this.ended) {
				return;
			}
			if (error != null) {
				send(error, MediaType.APPLICATION_JSON);
			}
			send(DONE, MediaType.TEXT_PLAIN);
			this.ended = true;
			this.emitter.complete();
		}
	}

	/**
	 * The response ended without us (the client left, a container error or time-out):
	 * stop generating.
	 */
	private void abandon() {
		synchronized (this.lock) {
			this.ended = true;
		}
		dispose();
		this.requests.leave(this);
	}

	private void send(Object data, MediaType type) {
		if (this.ended) {
			return;
		}
		try {
			this.emitter.send(SseEmitter.event().data(data, type));
		}
		catch (IOException | IllegalStateException e) {
			// the client is gone
			this.ended = true;
			dispose();
			this.requests.leave(this);
		}
	}

}
