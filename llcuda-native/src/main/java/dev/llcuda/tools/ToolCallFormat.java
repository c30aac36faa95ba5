package dev.llcuda.tools;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.llcuda.grammar.Grammar;
import dev.llcuda.grammar.Grammars;
import dev.llcuda.template.ChatMessage;
import dev.llcuda.template.ChatTemplate;
import dev.llcuda.template.TemplateException;

/**
 * The tool-call syntaxes llcuda reads, and which one a chat template teaches its model.
 */
public enum ToolCallFormat {

	/** Llama 3.1/3.2 JSON, see {@link Llama3JsonSyntax}. */
	LLAMA3_JSON(new Llama3JsonSyntax()),
	/** Hermes, Qwen 2.5, Qwen 3 {@code <tool_call>}, see {@link HermesSyntax}. */
	HERMES(new HermesSyntax()),
	/** Mistral {@code [TOOL_CALLS]}, see {@link MistralSyntax}. */
	MISTRAL(new MistralSyntax()),
	/**
	 * Templates without tool syntax: tools described by {@link GenericToolPrompt}, see
	 * {@link GenericJsonSyntax}.
	 */
	GENERIC_JSON(new GenericJsonSyntax());

	/**
	 * A function name no template writes by itself: finds out whether the template
	 * renders tools.
	 */
	private static final String PROBE_NAME = "llcuda_probe_function";

	private final ToolCallSyntax syntax;

	ToolCallFormat(ToolCallSyntax syntax) {
		this.syntax = syntax;
	}

	public ToolCallSyntax syntax() {
		return this.syntax;
	}

	/**
	 * A grammar whose outputs are only tool calls in this format's syntax, as
	 * {@link #syntax()} reads them back: one call, or one or more when {@code several}
	 * and the format's templates take several, of the tools {@code parameterSchemas}
	 * names (tool name to its arguments' JSON Schema text, in order), arguments valid
	 * under the schema. Llama 3's call is the plain JSON its template writes back: the
	 * {@code <|python_tag|>} a model may put first is a control token, which decoded text
	 * and so the grammar's alphabet leave out.
	 * @throws dev.llcuda.grammar.SchemaException naming what a tool's schema uses that
	 * the grammar does not support
	 */
	public Grammar forcedCalls(Grammars grammars, Map<String, String> parameterSchemas, boolean several) {
		boolean many = several && takesSeveralCalls();
		return switch (this) {
			case LLAMA3_JSON -> grammars.toolCalls(parameterSchemas, "parameters", "", "; ", many, "");
			case HERMES -> grammars.toolCalls(parameterSchemas, "arguments", HermesSyntax.OPEN + "\n",
					"\n" + HermesSyntax.CLOSE + "\n" + HermesSyntax.OPEN + "\n", many, "\n" + HermesSyntax.CLOSE);
			case MISTRAL -> grammars.toolCalls(parameterSchemas, "arguments", "[", ", ", many, "]");
			case GENERIC_JSON ->
				grammars.toolCalls(parameterSchemas, "arguments", "{\"tool_calls\": [", ", ", many, "]}");
		};
	}

	/**
	 * Whether an assistant turn may hold several calls: Llama 3.1-3.3 templates refuse
	 * more than one ("only supports single tool-calls at once"), so a forced reply that
	 * held several could not be sent back.
	 */
	private boolean takesSeveralCalls() {
		return this != LLAMA3_JSON;
	}

	/**
	 * Whether tools, tool calls and tool results go through the template's own variables
	 * and roles.
	 */
	public boolean rendersTools() {
		return this != GENERIC_JSON;
	}

	/**
	 * The format of a template, found by rendering one user message with one probe tool:
	 * a template that leaves the tool out gets {@link #GENERIC_JSON}; one that renders it
	 * is recognised by the syntax it teaches ({@code <tool_call>},
	 * {@code [AVAILABLE_TOOLS]}, Llama 3's {@code "parameters"}).
	 * @return empty when the template renders tools in a syntax none of these reads, or
	 * refuses them
	 */
	public static Optional<ToolCallFormat> detect(ChatTemplate template) {
		Map<String, Object> probe = Map.of("type", "function", "function", Map.of("name", PROBE_NAME, "description",
				"Probe.", "parameters", Map.of("type", "object", "properties", Map.of())));
		String rendered;
		try {
			rendered = template.render(List.of(new ChatMessage("user", "Hello")), true,
					Map.of("tools", List.of(probe), "bos_token", "", "eos_token", ""));
		}
		catch (TemplateException e) {
			return Optional.empty();
		}
		if (!rendered.contains(PROBE_NAME)) {
			return Optional.of(GENERIC_JSON);
		}
		if (rendered.contains(HermesSyntax.OPEN)) {
			return Optional.of(HERMES);
		}
		if (rendered.contains("[AVAILABLE_TOOLS]") || rendered.contains(MistralSyntax.MARKER)) {
			return Optional.of(MISTRAL);
		}
		if (rendered.contains("<|start_header_id|>") && rendered.contains("\"parameters\"")) {
			return Optional.of(LLAMA3_JSON);
		}
		return Optional.empty();
	}

}
