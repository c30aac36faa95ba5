package dev.llcuda.sample;

import java.util.List;

/**
 * A request named a model the service neither serves nor has registered (HTTP 404, as
 * OpenAI answers).
 */
class ModelNotFoundException extends RuntimeException {

	ModelNotFoundException(String model, List<String> served) {
		super("the model '" + model + "' does not exist here; this service serves "
				+ (served.isEmpty() ? "no model" : "'" + String.join("', '", served) + "'"));
	}

}
