package dev.llcuda.autoconfigure;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.llcuda.runtime.ModelKind;

/**
 * Matches when an embedding model is configured: {@code llcuda.embedding.path}, or an
 * entry of {@code llcuda.models} whose file is an encoder.
 */
final class OnEmbeddingModelCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Binder binder = Binder.get(context.getEnvironment());
		if (binder.bind(LlcudaProperties.PREFIX + ".embedding.path", String.class).isBound()) {
			return ConditionOutcome.match("llcuda.embedding.path is set");
		}
		Map<String, LlcudaProperties.NamedModel> models = binder
			.bind(LlcudaProperties.PREFIX + ".models", Bindable.mapOf(String.class, LlcudaProperties.NamedModel.class))
			.orElse(Map.of());
		for (Map.Entry<String, LlcudaProperties.NamedModel> model : models.entrySet()) {
			if (model.getValue().getPath() != null && isEmbedding(model.getValue().getPath())) {
				return ConditionOutcome.match("llcuda.models." + model.getKey() + " is an embedding model");
			}
		}
		return ConditionOutcome.noMatch("no embedding model is configured (llcuda.embedding.path, llcuda.models)");
	}

	/**
	 * An unreadable file counts as no embedding model here: the model set refuses it,
	 * naming its property.
	 */
	private static boolean isEmbedding(Path path) {
		try {
			return ModelKind.of(path) == ModelKind.EMBEDDING;
		}
		catch (UncheckedIOException e) {
			return false;
		}
	}

}
