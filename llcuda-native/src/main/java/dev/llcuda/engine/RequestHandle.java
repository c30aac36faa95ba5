package dev.llcuda.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A submitted request: its token stream, its result, and a way to cancel it. The stream
 * and the result are completed off the engine thread. Adapt the stream with
 * {@code JdkFlowAdapter.flowPublisherToFlux(handle.pieces())}; cancelling that
 * subscription cancels the request.
 */
public final class RequestHandle {

	private final long id;

	private final PieceStream pieces;

	private final CompletableFuture<GenerationResult> result;

	private final Runnable canceller;

	RequestHandle(long id, PieceStream pieces, CompletableFuture<GenerationResult> result, Runnable canceller) {
		this.id = id;
		this.pieces = pieces;
		this.result = result;
		this.canceller = canceller;
	}

	public long id() {
		return id;
	}

	/**
	 * Text pieces in order, one per generated token (an end-of-generation token
	 * excepted); one subscriber.
	 */
	public Flow.Publisher<TokenPiece> pieces() {
		return pieces;
	}

	/**
	 * Completes when the request ends; never exceptionally (errors are
	 * {@link FinishReason#ERROR}).
	 */
	public CompletableFuture<GenerationResult> result() {
		return result;
	}

	/**
	 * Stops the request at the next step boundary and frees its KV blocks; no-op once
	 * finished.
	 */
	public void cancel() {
		canceller.run();
	}

}
