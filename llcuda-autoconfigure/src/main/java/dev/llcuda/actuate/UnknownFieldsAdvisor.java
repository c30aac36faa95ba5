package dev.llcuda.actuate;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameter;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameters;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * Refuses a write or delete of {@code /actuator/llcudamodels} that carries a field (or
 * query parameter) the operation does not take, with a 400 naming each such field,
 * instead of Actuator's default of ignoring it: a misspelt {@code "adapter"} must not
 * activate a model without its adapters.
 */
public final class UnknownFieldsAdvisor implements OperationInvokerAdvisor {

	private static final EndpointId ENDPOINT = EndpointId.of("llcudamodels");

	@Override
	public OperationInvoker apply(EndpointId endpointId, OperationType operationType, OperationParameters parameters,
			OperationInvoker invoker) {
		if (!endpointId.equals(ENDPOINT) || operationType == OperationType.READ) {
			return invoker;
		}
		Set<String> known = StreamSupport.stream(parameters.spliterator(), false)
			.map(OperationParameter::getName)
			.collect(Collectors.toCollection(TreeSet::new));
		return context -> {
			List<String> unknown = context.getArguments()
				.keySet()
				.stream()
				.filter(name -> !known.contains(name))
				.sorted()
				.toList();
			if (!unknown.isEmpty()) {
				return new WebEndpointResponse<>(
						new ModelRegistryEndpoint.ErrorDescriptor("unknown field" + (unknown.size() == 1 ? " " : "s ")
								+ String.join(", ", unknown) + "; this operation takes " + String.join(", ", known)),
						WebEndpointResponse.STATUS_BAD_REQUEST);
			}
			return invoker.invoke(context);
		};
	}

}
