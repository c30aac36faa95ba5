package dev.llcuda.engine;

/**
 * A request the engine refuses because of what the caller asked for (a sampling parameter
 * out of range, a prompt the context cannot hold, a sequence the native step rejects): a
 * client mistake (HTTP 400), never a fault of the engine, which goes on serving every
 * other request.
 */
public final class InvalidRequestException extends IllegalArgumentException {

	public InvalidRequestException(String message) {
		super(message);
	}

	public InvalidRequestException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * {@code field value must be allowed}, e.g.
	 * {@code top_p 0.0 must be in (0, 1] (1: off)}.
	 */
	static InvalidRequestException outOfRange(String field, Object value, String allowed) {
		return new InvalidRequestException(field + " " + value + " must be " + allowed);
	}

}
