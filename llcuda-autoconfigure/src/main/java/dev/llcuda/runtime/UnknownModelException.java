package dev.llcuda.runtime;

import java.util.List;

/** A request named a model that is not one of the {@link ModelSet}'s. */
public final class UnknownModelException extends IllegalArgumentException {

	public UnknownModelException(String model, List<String> served) {
		super("the model '" + model + "' does not exist here; this service serves "
				+ (served.isEmpty() ? "no model" : "'" + String.join("', '", served) + "'"));
	}

}
