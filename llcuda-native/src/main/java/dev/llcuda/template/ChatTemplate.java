package dev.llcuda.template;

import dev.llcuda.gguf.GgufMetadata;
import dev.llcuda.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A compiled {@code tokenizer.chat_template}, rendered with Hugging Face's semantics:
 * Jinja2 with trim_blocks, lstrip_blocks and loop controls, plus {@code tojson},
 * {@code raise_exception(msg)} and {@code strftime_now(fmt)}. Thread-safe: each render
 * has its own state.
 *
 * <p>
 * Why not a Java Jinja library: Jinjava 2.7.4 (the maintained one on Maven Central)
 * brings 9 MB in 22 jars (Guava, Jackson, SnakeYAML, Javassist...) and, tried on the
 * shared templates, fails Qwen3's
 * {@code namespace(..., last_query_index=messages|length - 1)} and leaves stray
 * indentation where Jinja2's whitespace rules remove it.
 */
public final class ChatTemplate {

	private static final System.Logger logger = System.getLogger(ChatTemplate.class.getName());

	private final String name;

	private final List<Node> body;

	private final Supplier<ZonedDateTime> clock;

	private final Map<TemplateLimit, Long> limits;

	private ChatTemplate(String name, List<Node> body, Supplier<ZonedDateTime> clock, Map<TemplateLimit, Long> limits) {
		this.name = name;
		this.body = body;
		this.clock = clock;
		this.limits = limits;
	}

	/**
	 * Parses a template.
	 * @param name names the template in error messages (a file or model name)
	 * @throws TemplateException for a syntax error, naming the line and what is wrong
	 */
	public static ChatTemplate compile(String name, String source) throws TemplateException {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(source, "source");
		return new ChatTemplate(name, Parser.parse(name, source), ZonedDateTime::now, Map.of());
	}

	/**
	 * The template a model is served with: its own {@code tokenizer.chat_template}, else
	 * the built-in one of the family its architecture and vocabulary suggest (logged, so
	 * the choice is visible).
	 * @throws IllegalArgumentException naming the model when its own template does not
	 * compile
	 */
	public static ChatTemplate forModel(GgufMetadata metadata, Tokenizer tokenizer) {
		String model = metadata.string("general.name").orElse("the model");
		String source = metadata.string("tokenizer.chat_template").orElse(null);
		if (source != null) {
			try {
				return compile(model, source);
			}
			catch (TemplateException e) {
				throw new IllegalArgumentException(
						"the chat template of " + model + " does not compile: " + e.getMessage(), e);
			}
		}
		TemplateFamily family = TemplateFamily.detect(metadata.string("general.architecture").orElse(null),
				metadata.string("tokenizer.ggml.pre").orElse(null), tokenizer::hasToken);
		logger.log(System.Logger.Level.INFO,
				"llcuda: {0} has no chat template (tokenizer.chat_template); " + "using the built-in {1} template",
				model, family);
		return defaultFor(family);
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
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (TemplateException e) {
			throw new IllegalStateException("built-in template does not compile: " + e.getMessage(), e);
		}
	}

	/**
	 * The built-in fallback template by family name: "llama2", "llama3", "chatml" or
	 * "gemma".
	 */
	public static ChatTemplate defaultFor(String family) {
		return defaultFor(TemplateFamily.named(family));
	}

	/** The same template with {@code strftime_now} reading the given clock. */
	public ChatTemplate withClock(Supplier<ZonedDateTime> clock) {
		return new ChatTemplate(name, body, Objects.requireNonNull(clock, "clock"), limits);
	}

	/**
	 * The same template with one {@link TemplateLimit} set to {@code value} instead of
	 * its default (for tests).
	 */
	ChatTemplate withLimit(TemplateLimit limit, long value) {
		Map<TemplateLimit, Long> changed = new java.util.EnumMap<>(TemplateLimit.class);
		changed.putAll(limits);
		changed.put(limit, value);
		return new ChatTemplate(name, body, clock, Map.copyOf(changed));
	}

	public String name() {
		return name;
	}

	/**
	 * Renders a conversation.
	 * @param extraContext further variables: bos_token, eos_token, tools, date_string, or
	 * {@link TemplateFunction}s; may be empty
	 */
	public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extraContext)
			throws TemplateException {
		Map<String, Object> context = new LinkedHashMap<>(extraContext);
		context.put("messages", messages);
		context.put("add_generation_prompt", addGenerationPrompt);
		return render(context);
	}

	/**
	 * The variables that hold the caller's data, besides {@code messages}, as Hugging
	 * Face names them.
	 */
	public static final Set<String> CALLER_DATA = Set.of("tools", "documents");

	/**
	 * Renders a conversation with the caller's text marked: {@code quote} is applied to
	 * every string of the messages and of the {@link #CALLER_DATA} variables (values and
	 * keys), never to the template's own text nor to other variables such as
	 * {@code bos_token}. A tokenizer's quoting (see {@code Tokenizer.quote}) then lets
	 * the prompt's tokenizer tell the caller's text, always plain text, from the
	 * template's markup, which alone may spell control tokens.
	 */
	public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extraContext,
			UnaryOperator<String> quote) throws TemplateException {
		Map<String, Object> context = new LinkedHashMap<>(extraContext);
		context.replaceAll(
				(key, value) -> CALLER_DATA.contains(key) ? Values.mapStrings(Values.fromJava(value), quote) : value);
		context.put("messages", Values.mapStrings(Values.fromJava(messages), quote));
		context.put("add_generation_prompt", addGenerationPrompt);
		return render(context);
	}

	/**
	 * Renders with a complete context, as Hugging Face's {@code apply_chat_template}
	 * passes it: messages (maps or {@link ChatMessage}s), add_generation_prompt and any
	 * other variables. Functions in the context replace the built-ins of the same name.
	 * @throws TemplateException when the template fails or refuses the input (see
	 * {@link TemplateException#raisedByTemplate()}), or a {@link TemplateLimitException}
	 * when it exceeds a {@link TemplateLimit}
	 * @throws IllegalArgumentException when the context holds a value of a type templates
	 * cannot use
	 */
	public String render(Map<String, Object> context) throws TemplateException {
		Frame globals = new Frame(null);
		Builtins.install(globals, clock);
		context.forEach((key, value) -> globals.set(key, Values.fromJava(value)));
		try {
			return Interpreter.render(body, globals, new RenderBudget(limits));
		}
		catch (EvalError e) {
			throw e.toTemplateException(name);
		}
	}

	@Override
	public String toString() {
		return "ChatTemplate[" + name + "]";
	}

}
