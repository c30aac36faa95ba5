package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * {@link ChatTemplate#forModel}: the file's template, else the family default, logged.
 */
class ChatTemplateForModelTests {

	private static final Path MICRO_LLAMA = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"),
			"models", "micro-llama-Q8_0.gguf");

	@Test
	void aModelWithoutAChatTemplateGetsTheDefaultOfItsFamilyAndTheLogSaysWhich() throws IOException {
		Logger logger = Logger.getLogger(ChatTemplate.class.getName());
		List<String> messages = new ArrayList<>();
		Handler handler = new Handler() {
			@Override
			public void publish(LogRecord record) {
				messages.add(MessageFormat.format(record.getMessage(), record.getParameters()));
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}
		};
		Level level = logger.getLevel();
		logger.addHandler(handler);
		logger.setLevel(Level.INFO);
		try (GgufFile gguf = GgufFile.open(MICRO_LLAMA)) {
			String name = gguf.metadata().string("general.name").orElseThrow();
			ChatTemplate template = ChatTemplate.forModel(gguf.metadata(), Tokenizer.fromGguf(gguf.metadata()));

			assertFalse(gguf.metadata().contains("tokenizer.chat_template"));
			assertEquals("default-llama2", template.name());
			assertEquals(
					List.of("llcuda: " + name
							+ " has no chat template (tokenizer.chat_template); using the built-in LLAMA2 template"),
					messages);
		}
		finally {
			logger.removeHandler(handler);
			logger.setLevel(level);
		}
	}

}
