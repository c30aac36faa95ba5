package dev.llcuda.runtime;

import java.nio.file.Path;

/** Loads a GGUF file onto the selected device and starts an engine over it. */
@FunctionalInterface
public interface ModelLoader {

    /** @throws RuntimeException with the reason (file, field, memory) when the model cannot be served */
    ServingModel load(Path gguf);
}
