package dev.llcuda.hf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of a Hugging Face model directory that a conversion reads:
 * {@code config.json}, {@code tokenizer.json}, {@code tokenizer_config.json} (its chat
 * template, or {@code chat_template.jinja}), {@code generation_config.json} when present.
 * The weights are opened separately
 * ({@link dev.llcuda.safetensors.SafetensorsCheckpoint}).
 */
record HfModelDirectory(Path path, JsonObject config, JsonObject tokenizer, JsonObject tokenizerConfig,
		Optional<JsonObject> generationConfig, Optional<String> chatTemplate) {

	static final String CONFIG = "config.json";
	static final String TOKENIZER = "tokenizer.json";
	static final String TOKENIZER_CONFIG = "tokenizer_config.json";
	static final String GENERATION_CONFIG = "generation_config.json";
	static final String CHAT_TEMPLATE = "chat_template.jinja";

	/**
	 * Whether {@code path} looks like a model directory (a folder with a
	 * {@code config.json}).
	 */
	static boolean isModelDirectory(Path path) {
		return Files.isDirectory(path) && Files.isRegularFile(path.resolve(CONFIG));
	}

	static HfModelDirectory read(Path path) throws IOException {
		if (!Files.isDirectory(path)) {
			throw new IOException(path + " is not a directory");
		}
		for (String required : List.of(CONFIG, TOKENIZER, TOKENIZER_CONFIG)) {
			if (!Files.isRegularFile(path.resolve(required))) {
				throw new IOException(path + " has no " + required + " (a Hugging Face model directory has " + CONFIG
						+ ", " + TOKENIZER + ", " + TOKENIZER_CONFIG + " and *.safetensors)");
			}
		}
		JsonObject tokenizerConfig = JsonObject.read(path.resolve(TOKENIZER_CONFIG));
		Optional<JsonObject> generation = Files.isRegularFile(path.resolve(GENERATION_CONFIG))
				? Optional.of(JsonObject.read(path.resolve(GENERATION_CONFIG))) : Optional.empty();
		return new HfModelDirectory(path, JsonObject.read(path.resolve(CONFIG)),
				JsonObject.read(path.resolve(TOKENIZER)), tokenizerConfig, generation,
				chatTemplate(path, tokenizerConfig));
	}

	/**
	 * tokenizer_config.json's {@code chat_template} (a text, or named templates of which
	 * "default" is used), else chat_template.jinja.
	 */
	private static Optional<String> chatTemplate(Path path, JsonObject config) throws IOException {
		Object value = config.raw("chat_template");
		if (value instanceof String text) {
			return Optional.of(text);
		}
		if (value instanceof List<?> named) {
			for (Object entry : named) {
				if (entry instanceof Map<?, ?> map && "default".equals(map.get("name"))
						&& map.get("template") instanceof String text) {
					return Optional.of(text);
				}
			}
			throw config.error("chat_template", "lists templates but none named 'default'");
		}
		if (value != null) {
			throw config.error("chat_template", "is neither a text nor a list of named templates");
		}
		Path jinja = path.resolve(CHAT_TEMPLATE);
		return Files.isRegularFile(jinja) ? Optional.of(Files.readString(jinja)) : Optional.empty();
	}
}
