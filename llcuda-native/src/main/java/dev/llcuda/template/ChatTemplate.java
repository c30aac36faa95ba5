package dev.llcuda.template;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A compiled {@code tokenizer.chat_template}, rendered with Hugging Face's semantics: Jinja2 with
 * trim_blocks, lstrip_blocks and loop controls, plus {@code tojson}, {@code raise_exception(msg)}
 * and {@code strftime_now(fmt)}. Thread-safe: each render has its own state.
 *
 * <p>Why not a Java Jinja library: Jinjava 2.7.4 (the maintained one on Maven Central) brings
 * 9 MB in 22 jars (Guava, Jackson, SnakeYAML, Javassist...) and, tried on the shared templates,
 * fails Qwen3's {@code namespace(..., last_query_index=messages|length - 1)} and leaves stray
 * indentation where Jinja2's whitespace rules remove it.
 */
public final class ChatTemplate {

    private final String name;
    private final List<Node> body;
    private final Supplier<ZonedDateTime> clock;

    private ChatTemplate(String name, List<Node> body, Supplier<ZonedDateTime> clock) {
        this.name = name;
        this.body = body;
        this.clock = clock;
    }

    /**
     * Parses a template.
     *
     * @param name names the template in error messages (a file or model name)
     * @throws TemplateException for a syntax error, naming the line and what is wrong
     */
    public static ChatTemplate compile(String name, String source) throws TemplateException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        return new ChatTemplate(name, Parser.parse(name, source), ZonedDateTime::now);
    }

    /** The built-in fallback template of a family, for models that ship none. */
    public static ChatTemplate defaultFor(TemplateFamily family) {
        String resource = family.name().toLowerCase(java.util.Locale.ROOT) + ".jinja";
        try (InputStream in = ChatTemplate.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing built-in template resource " + resource);
            }
            return compile("default-" + family.name().toLowerCase(java.util.Locale.ROOT),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (TemplateException e) {
            throw new IllegalStateException("built-in template does not compile: " + e.getMessage(), e);
        }
    }

    /** The built-in fallback template by family name: "llama2", "llama3", "chatml" or "gemma". */
    public static ChatTemplate defaultFor(String family) {
        return defaultFor(TemplateFamily.named(family));
    }

    /** The same template with {@code strftime_now} reading the given clock. */
    public ChatTemplate withClock(Supplier<ZonedDateTime> clock) {
        return new ChatTemplate(name, body, Objects.requireNonNull(clock, "clock"));
    }

    public String name() {
        return name;
    }

    /**
     * Renders a conversation.
     *
     * @param extraContext further variables: bos_token, eos_token, tools, date_string, or
     *                     {@link TemplateFunction}s; may be empty
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extraContext)
            throws TemplateException {
        Map<String, Object> context = new LinkedHashMap<>(extraContext);
        context.put("messages", messages);
        context.put("add_generation_prompt", addGenerationPrompt);
        return render(context);
    }

    /**
     * Renders with a complete context, as Hugging Face's {@code apply_chat_template} passes it:
     * messages (maps or {@link ChatMessage}s), add_generation_prompt and any other variables.
     * Functions in the context replace the built-ins of the same name.
     *
     * @throws TemplateException when the template fails or refuses the input (see
     *                           {@link TemplateException#raisedByTemplate()})
     * @throws IllegalArgumentException when the context holds a value of a type templates cannot use
     */
    public String render(Map<String, Object> context) throws TemplateException {
        Frame globals = new Frame(null);
        Builtins.install(globals, clock);
        context.forEach((key, value) -> globals.set(key, Values.fromJava(value)));
        try {
            return Interpreter.render(body, globals);
        } catch (EvalError e) {
            throw e.toTemplateException(name);
        }
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + name + "]";
    }
}
