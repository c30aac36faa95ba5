package dev.llcuda.template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The chat templates of the shared test data, each compiled once per test run. */
final class SharedTemplates {

	static final Path DIR = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"), "templates");

	private static final Map<String, ChatTemplate> COMPILED = new ConcurrentHashMap<>();

	private SharedTemplates() {
	}

	static ChatTemplate load(String file) {
		return COMPILED.computeIfAbsent(file, f -> {
			try {
				return ChatTemplate.compile(f, Files.readString(DIR.resolve(f), StandardCharsets.UTF_8));
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			catch (TemplateException e) {
				throw new IllegalStateException(e.getMessage(), e);
			}
		});
	}

}
