package dev.llcuda.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.gguf.GgufFormatException;
import dev.llcuda.gguf.TensorInfo;
import dev.llcuda.model.ModelSpec;

/**
 * Facts from the GGUF header: of a model, from the model spec the engine would build from
 * it; of a LoRA adapter ({@code general.type = adapter}), from its architecture and
 * tensors.
 */
public final class GgufModelInspector implements ModelInspector {

	@Override
	public ModelFacts inspect(Path file) throws IOException {
		try (GgufFile gguf = GgufFile.open(file)) {
			if (gguf.metadata().string("general.type").filter("adapter"::equals).isPresent()) {
				return adapterFacts(gguf, file);
			}
			ModelSpec spec = ModelSpec.from(gguf);
			return new ModelFacts(spec.name(), spec.architecture().ggufName(), spec.fileType(), spec.parameterCount(),
					spec.contextLength());
		}
	}

	private static ModelFacts adapterFacts(GgufFile gguf, Path file) throws IOException {
		String type = gguf.metadata().string("adapter.type").orElse("(missing)");
		if (!type.equals("lora")) {
			throw new GgufFormatException(file, GgufFormatException.NO_OFFSET,
					"adapter.type is '" + type + "'; only 'lora' adapters are supported");
		}
		if (gguf.tensors().isEmpty()) {
			throw new GgufFormatException(file, GgufFormatException.NO_OFFSET, "the adapter has no tensors");
		}
		Map<String, Long> elementsByType = gguf.tensors()
			.stream()
			.collect(Collectors.groupingBy(tensor -> tensor.type().name(), TreeMap::new,
					Collectors.summingLong(TensorInfo::elementCount)));
		String dominant = elementsByType.entrySet()
			.stream()
			.max(Map.Entry.comparingByValue())
			.map(Map.Entry::getKey)
			.orElseThrow();
		return new ModelFacts(
				gguf.metadata().string("general.name").orElseGet(() -> String.valueOf(file.getFileName())),
				gguf.metadata().requireString("general.architecture"), dominant,
				elementsByType.values().stream().mapToLong(Long::longValue).sum(), 0, EntryKind.GGUF_ADAPTER);
	}

}
