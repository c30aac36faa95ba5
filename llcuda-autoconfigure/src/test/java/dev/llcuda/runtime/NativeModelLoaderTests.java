package dev.llcuda.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import dev.llcuda.gguf.GgufFile;
import dev.llcuda.model.ModelSpec;
import dev.llcuda.template.ChatTemplate;
import dev.llcuda.tokenizer.Tokenizer;

class NativeModelLoaderTests {

    @Test
    void aModelWithoutAChatTemplateGetsTheDefaultOfItsFamilyAndTheLogSaysWhich() throws IOException {
        Logger logger = (Logger) LoggerFactory.getLogger(NativeModelLoader.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Level level = logger.getLevel();
        logger.addAppender(log);
        logger.setLevel(Level.INFO);
        try (GgufFile gguf = GgufFile.open(TestServing.MICRO_LLAMA)) {
            ModelSpec spec = ModelSpec.from(gguf);
            ChatTemplate template = NativeModelLoader.chatTemplate(gguf.metadata(), Tokenizer.fromGguf(gguf.metadata()),
                    spec);

            assertThat(gguf.metadata().contains("tokenizer.chat_template")).isFalse();
            assertThat(template.name()).isEqualTo("default-llama2");
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("llcuda: " + spec.name()
                    + " has no chat template (tokenizer.chat_template); using the built-in LLAMA2 template");
        } finally {
            logger.detachAppender(log);
            logger.setLevel(level);
        }
    }
}
