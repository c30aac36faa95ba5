package dev.llcuda.sample;

/**
 * The service is shutting down: it takes no new request, or cancelled one still running
 * at the end of the drain.
 */
final class ServiceStoppingException extends RuntimeException {

	ServiceStoppingException(String message) {
		super(message);
	}

}
