package dev.llcuda.registry;

import java.io.IOException;
import java.nio.file.Path;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;

/** Facts from the GGUF header and the model spec the engine would build from it. */
public final class GgufModelInspector implements ModelInspector {

	@Override
	public ModelFacts inspect(Path file) throws IOException {
		try (GgufFile gguf = GgufFile.open(file)) {
			ModelSpec spec = ModelSpec.from(gguf);
			return new ModelFacts(spec.name(), spec.architecture().ggufName(), spec.fileType(), spec.parameterCount(),
					spec.contextLength());
		}
	}

}
