package dev.llcuda.sample;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

/**
 * Every failure of a request as an OpenAI error object with the status {@link ApiErrors}
 * gives it.
 */
@RestControllerAdvice
public class ApiExceptionHandler {

	@ExceptionHandler(Exception.class)
	ResponseEntity<OpenAiApi.ErrorBody> error(Exception e) {
		ApiErrors.ApiError error = ApiErrors.report(e);
		return ResponseEntity.status(error.status()).body(error.body());
	}

	/** The client left before its answer was written: there is no one to answer. */
	@ExceptionHandler(AsyncRequestNotUsableException.class)
	void clientGone() {
	}

}
