package dev.llcuda.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A caller's way to cancel the requests it submitted without interrupting the threads
 * that wait for them (an interrupt flag outlives the wait and refuses the next blocking
 * call on that thread). Whoever submits registers its request's
 * {@link RequestHandle#cancel} with {@link #onCancel}; {@link #cancel} runs every
 * registered action once, and an action registered later runs at once.
 */
public final class Cancellation {

	private final List<Runnable> actions = new ArrayList<>(); // guarded by this

	private boolean cancelled; // guarded by this

	/** Runs {@code action} when cancelled, or now when already cancelled. */
	public void onCancel(Runnable action) {
		synchronized (this) {
			if (!this.cancelled) {
				this.actions.add(action);
				return;
			}
		}
		action.run();
	}

	/** Cancels: runs the registered actions; repeated calls do nothing more. */
	public void cancel() {
		List<Runnable> registered;
		synchronized (this) {
			if (this.cancelled) {
				return;
			}
			this.cancelled = true;
			registered = List.copyOf(this.actions);
			this.actions.clear();
		}
		registered.forEach(Runnable::run);
	}

	public synchronized boolean isCancelled() {
		return this.cancelled;
	}

}
