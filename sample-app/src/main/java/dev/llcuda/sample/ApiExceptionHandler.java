package dev.llcuda.sample;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.llcuda.chat.LlcudaEngineException;
import dev.llcuda.engine.EngineOverloadedException;
import dev.llcuda.runtime.NoModelLoadedException;

/**
 * Errors as OpenAI-style JSON with a status that says what to do: 503 without a model or with the
 * circuit open, 429 when overloaded (retry later), 400 for a bad request, 404 for an unknown model,
 * 500 for an engine fault.
 */
@RestControllerAdvice
public class ApiExceptionHandler {

    @ExceptionHandler({ NoModelLoadedException.class, CallNotPermittedException.class })
    ResponseEntity<OpenAiApi.ErrorBody> unavailable(RuntimeException e) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, e);
    }

    @ExceptionHandler({ EngineOverloadedException.class, BulkheadFullException.class })
    ResponseEntity<OpenAiApi.ErrorBody> overloaded(RuntimeException e) {
        return error(HttpStatus.TOO_MANY_REQUESTS, e);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<OpenAiApi.ErrorBody> badRequest(IllegalArgumentException e) {
        return error(HttpStatus.BAD_REQUEST, e);
    }

    @ExceptionHandler(ModelNotFoundException.class)
    ResponseEntity<OpenAiApi.ErrorBody> modelNotFound(ModelNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(new OpenAiApi.ErrorBody(
                new OpenAiApi.Error(e.getMessage(), "invalid_request_error", "model", "model_not_found")));
    }

    @ExceptionHandler(LlcudaEngineException.class)
    ResponseEntity<OpenAiApi.ErrorBody> engineFault(LlcudaEngineException e) {
        return error(HttpStatus.INTERNAL_SERVER_ERROR, e);
    }

    private static ResponseEntity<OpenAiApi.ErrorBody> error(HttpStatus status, RuntimeException e) {
        return ResponseEntity.status(status)
                .body(new OpenAiApi.ErrorBody(new OpenAiApi.Error(String.valueOf(e.getMessage()), typeOf(e))));
    }

    /** The error type named in bodies and stream events. */
    static String typeOf(Throwable error) {
        if (error instanceof NoModelLoadedException) {
            return "no_model_loaded";
        }
        if (error instanceof EngineOverloadedException || error instanceof BulkheadFullException) {
            return "overloaded";
        }
        if (error instanceof CallNotPermittedException) {
            return "circuit_open";
        }
        if (error instanceof IllegalArgumentException) {
            return "invalid_request";
        }
        return "engine_error";
    }
}
