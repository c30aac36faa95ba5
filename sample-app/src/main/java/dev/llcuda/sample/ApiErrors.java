package dev.llcuda.sample;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;

import dev.llcuda.chat.LlcudaEngineException;
import dev.llcuda.engine.EngineOverloadedException;
import dev.llcuda.runtime.NoModelLoadedException;

/**
 * The status and OpenAI error object ({@code {"error": {"message", "type", "param",
 * "code"}}}) of every failure the service reports, in bodies and stream events alike:
 * client mistakes are 400, overload 429 (retry later), no model, a model loading, an open
 * circuit or a stopping service 503, and engine or server faults 500 with a generic
 * message (the details go to the log only).
 */
final class ApiErrors {

	private static final Logger logger = LoggerFactory.getLogger(ApiErrors.class);

	/** The message of every 500: internals (paths, native errors) stay in the log. */
	static final String SERVER_FAULT = "the service failed while handling the request; its log has the details";

	/** A failure as the API reports it. */
	record ApiError(HttpStatusCode status, OpenAiApi.ErrorBody body) {
	}

	private ApiErrors() {
	}

	/** The answer to {@code error}; server faults are logged here, once. */
	static ApiError report(Throwable error) {
		ApiError answer = of(error);
		if (answer.status().is5xxServerError() && answer.status().value() != HttpStatus.SERVICE_UNAVAILABLE.value()) {
			logger.error("llcuda: request failed", error);
		}
		return answer;
	}

	static ApiError of(Throwable error) {
		// Spring AI's families wrap llcuda's own exception, which says which answer fits
		// best
		if ((error instanceof TransientAiException || error instanceof NonTransientAiException)
				&& error.getCause() != null) {
			return of(error.getCause());
		}
		if (error instanceof NonTransientAiException) {
			return error(HttpStatus.BAD_REQUEST, String.valueOf(error.getMessage()), null, "invalid_value");
		}
		if (error instanceof TransientAiException) {
			return error(HttpStatus.SERVICE_UNAVAILABLE, String.valueOf(error.getMessage()), null, "unavailable");
		}
		if (error instanceof HttpMessageNotReadableException unreadable) {
			return unreadable(unreadable);
		}
		if (error instanceof ErrorResponse response) {
			String detail = response.getBody().getDetail();
			return error(response.getStatusCode(), detail != null ? detail : String.valueOf(error.getMessage()), null,
					null);
		}
		if (error instanceof ModelNotFoundException) {
			// OpenAI answers an unknown model with 404 and the type of a bad request
			return new ApiError(HttpStatus.NOT_FOUND,
					new OpenAiApi.ErrorBody(new OpenAiApi.Error(String.valueOf(error.getMessage()),
							"invalid_request_error", "model", "model_not_found")));
		}
		if (error instanceof IllegalArgumentException) {
			return error(HttpStatus.BAD_REQUEST, String.valueOf(error.getMessage()), null, "invalid_value");
		}
		if (error instanceof EngineOverloadedException || error instanceof BulkheadFullException) {
			return error(HttpStatus.TOO_MANY_REQUESTS, String.valueOf(error.getMessage()), null, "overloaded");
		}
		if (error instanceof NoModelLoadedException) {
			return error(HttpStatus.SERVICE_UNAVAILABLE, String.valueOf(error.getMessage()), null, "no_model_loaded");
		}
		if (error instanceof CallNotPermittedException) {
			return error(HttpStatus.SERVICE_UNAVAILABLE, String.valueOf(error.getMessage()), null, "circuit_open");
		}
		if (error instanceof ClientConnections.ClientGoneException) {
			// nginx's "client closed request": nobody reads it, and it is no server fault
			// to log
			return error(HttpStatusCode.valueOf(499), String.valueOf(error.getMessage()), null,
					"client_closed_request");
		}
		if (error instanceof ServiceStoppingException) {
			return error(HttpStatus.SERVICE_UNAVAILABLE, String.valueOf(error.getMessage()), null, "shutting_down");
		}
		return error(HttpStatus.INTERNAL_SERVER_ERROR, SERVER_FAULT, null,
				error instanceof LlcudaEngineException ? "engine_error" : "internal_error");
	}

	/** A body Jackson could not read: which field, and what it should have been. */
	private static ApiError unreadable(HttpMessageNotReadableException error) {
		JacksonException jackson = jacksonCause(error);
		if (jackson == null) {
			return error(HttpStatus.BAD_REQUEST, "the request body is missing or unreadable: send a JSON object", null,
					"invalid_body");
		}
		String param = param(jackson);
		Throwable invalidValue = error.getMostSpecificCause();
		String message;
		if (invalidValue instanceof IllegalArgumentException) {
			message = invalidValue.getMessage();
		}
		else if (jackson instanceof InvalidNullException) {
			message = param + " must not be null";
		}
		else if (jackson instanceof InputCoercionException) {
			message = param + " is out of range";
		}
		else if (jackson instanceof MismatchedInputException mismatched && param != null) {
			message = param + " must be " + jsonKind(mismatched.getTargetType());
		}
		else if (jackson instanceof StreamReadException && jackson.getLocation() != null) {
			message = "the request body is not valid JSON (line " + jackson.getLocation().getLineNr() + ", column "
					+ jackson.getLocation().getColumnNr() + "): " + jackson.getOriginalMessage();
		}
		else {
			message = "the request body could not be read: " + jackson.getOriginalMessage();
		}
		return error(HttpStatus.BAD_REQUEST, String.valueOf(message), param, "invalid_body");
	}

	private static @Nullable JacksonException jacksonCause(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof JacksonException jackson) {
				return jackson;
			}
		}
		return null;
	}

	/**
	 * The field as the client wrote it, e.g. {@code messages[0].role}; null for the body
	 * itself.
	 */
	private static @Nullable String param(JacksonException error) {
		StringBuilder path = new StringBuilder();
		for (JacksonException.Reference reference : error.getPath()) {
			if (reference.getPropertyName() != null) {
				path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.isEmpty() ? null : path.toString();
	}

	private static String jsonKind(@Nullable Class<?> type) {
		if (type == null) {
			return "of another type";
		}
		if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
			return "an integer";
		}
		if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
			return "a number";
		}
		if (type == Boolean.class || type == boolean.class) {
			return "true or false";
		}
		if (type == String.class) {
			return "a string";
		}
		if (Iterable.class.isAssignableFrom(type) || type.isArray()) {
			return "an array";
		}
		return "an object";
	}

	static ApiError error(HttpStatusCode status, String message, @Nullable String param, @Nullable String code) {
		return new ApiError(status, new OpenAiApi.ErrorBody(new OpenAiApi.Error(message, type(status), param, code)));
	}

	/** OpenAI's error type for a status (the names llama.cpp's server uses too). */
	private static String type(HttpStatusCode status) {
		return switch (status.value()) {
			case 401 -> "authentication_error";
			case 403 -> "permission_error";
			case 404 -> "not_found_error";
			case 429 -> "rate_limit_error";
			case 503 -> "unavailable_error";
			default -> status.is4xxClientError() ? "invalid_request_error" : "server_error";
		};
	}

}
