package dev.llcuda.sample;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A chat template of a tool-calling model family and the scripted replies of
 * {@link ScriptedReplies} in that family's own tool-call syntax. The answers to tool
 * results come first: their trigger is the call and the result as the template writes
 * them back into the conversation, so an answer proves that rendering.
 */
enum ChatScript {

	/** Qwen 2.5's template: Hermes {@code <tool_call>} calls. */
	QWEN("Qwen-Qwen2.5-7B-Instruct.jinja", List.of(
			new ScriptedReplies.Rule(ScriptedModelConfiguration.WEATHER_RESULT,
					"The tool says it is sunny, 21 degrees."),
			new ScriptedReplies.Rule(Pattern.compile("(?s)\"name\": \"currentWeather\".*weather in Zurich\\?"),
					"<tool_call>\n{\"name\": \"currentWeather\", \"arguments\": {\"city\": \"Zurich\"}}\n</tool_call>"),
			new ScriptedReplies.Rule("Paris: 18C", "Paris has 18C and Rome 25C."),
			new ScriptedReplies.Rule(Pattern.compile("(?s)\"name\": \"get_weather\".*weather in Paris and Rome\\?"),
					"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
							+ "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}\n</tool_call>"))),

	/**
	 * Llama 3.1's template: one JSON call per turn, written back as {@code {"name": ...,
	 * "parameters": ...}} and answered by an {@code ipython} turn; the model may open its
	 * call with {@code <|python_tag|>} (Zurich, Paris) or not (Rome).
	 */
	LLAMA3("meta-llama-Llama-3.1-8B-Instruct.jinja",
			List.of(llama3Answer("currentWeather", "Zurich", ScriptedModelConfiguration.WEATHER_RESULT,
					"The tool says it is sunny, 21 degrees."),
					llama3Answer("get_weather", "Paris", "Paris: 18C", "Paris has 18C."),
					llama3Answer("get_weather", "Rome", "Rome: 25C", "Rome has 25C."),
					llama3Call("currentWeather", "Zurich", "<|python_tag|>"),
					llama3Call("get_weather", "Paris", "<|python_tag|>"), llama3Call("get_weather", "Rome", ""))),

	/**
	 * Mistral Nemo's template: {@code [TOOL_CALLS]} with a JSON array of calls (several
	 * at once), written back with their 9-character ids, each result in
	 * {@code [TOOL_RESULTS]} naming its call's id.
	 */
	MISTRAL("mistralai-Mistral-Nemo-Instruct-2407.jinja",
			List.of(mistralAnswer(mistralWrittenCall("currentWeather", "Zurich", 1),
					mistralResult(ScriptedModelConfiguration.WEATHER_RESULT, 1),
					"The tool says it is sunny, 21 degrees."),
					mistralAnswer(
							mistralWrittenCall("get_weather", "Paris", 1) + Pattern.quote(", ")
									+ mistralWrittenCall("get_weather", "Rome", 2),
							mistralResult("Paris: 18C", 1) + mistralResult("Rome: 25C", 2),
							"Paris has 18C and Rome 25C."),
					new ScriptedReplies.Rule(Pattern.compile("(?s)\"name\": \"currentWeather\".*weather in Zurich\\?"),
							"[TOOL_CALLS][{\"name\": \"currentWeather\", \"arguments\": {\"city\": \"Zurich\"}}]"),
					new ScriptedReplies.Rule(
							Pattern.compile("(?s)\"name\": \"get_weather\".*weather in Paris and Rome\\?"),
							"[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, "
									+ "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}]")));

	/**
	 * Where the template writes the EOS token: the prompt the script reads is decoded,
	 * which leaves control tokens out (and SentencePiece's space mark after one in).
	 */
	private static final String END_OF_TURN = "(?:</s>)? ?";

	/**
	 * Quotes around a result: none, the template's, or those of a String result that
	 * Spring AI has written as JSON, escaped by the template's {@code tojson}.
	 */
	private static final String QUOTES = "[\\\\\"]*";

	private final Path template;

	private final List<ScriptedReplies.Rule> rules;

	ChatScript(String template, List<ScriptedReplies.Rule> rules) {
		this.template = Path.of(System.getProperty("llcuda.testdata", "../../shared/testdata"), "templates", template);
		this.rules = rules;
	}

	Path template() {
		return this.template;
	}

	List<ScriptedReplies.Rule> rules() {
		return this.rules;
	}

	/** The call the model writes when the tool is offered and the city asked about. */
	private static ScriptedReplies.Rule llama3Call(String tool, String city, String tag) {
		return new ScriptedReplies.Rule(Pattern.compile("(?s)\"name\": \"" + tool + "\".*weather in " + city + "\\?"),
				tag + "{\"name\": \"" + tool + "\", \"parameters\": {\"city\": \"" + city + "\"}}");
	}

	/**
	 * The answer once the call and its result are written back (the result quoted by the
	 * template's {@code tojson}, maybe already quoted by Spring AI).
	 */
	private static ScriptedReplies.Rule llama3Answer(String tool, String city, String result, String answer) {
		return new ScriptedReplies.Rule(Pattern.compile(Pattern
			.quote("{\"name\": \"" + tool + "\", \"parameters\": {\"city\": \"" + city
					+ "\"}}<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\n")
				+ QUOTES + Pattern.quote(result) + QUOTES + Pattern.quote("<|eot_id|>")), answer);
	}

	/**
	 * The answer once the calls (patterns) and their results (patterns) are written back.
	 */
	private static ScriptedReplies.Rule mistralAnswer(String calls, String results, String answer) {
		return new ScriptedReplies.Rule(
				Pattern.compile(Pattern.quote("[TOOL_CALLS][") + calls + Pattern.quote("]") + END_OF_TURN + results),
				answer);
	}

	/** A call as the template writes it back, its id captured as group {@code group}. */
	private static String mistralWrittenCall(String tool, String city, int group) {
		return Pattern.quote("{\"name\": \"" + tool + "\", \"arguments\": {\"city\": \"" + city + "\"}, \"id\": \"")
				+ (group == 1 ? "([A-Za-z0-9]{9})" : "((?!\\1)[A-Za-z0-9]{9})") + Pattern.quote("\"}");
	}

	/** A result as the template writes it, naming the id of group {@code group}. */
	private static String mistralResult(String content, int group) {
		return Pattern.quote("[TOOL_RESULTS]{\"content\": ") + QUOTES + Pattern.quote(content) + QUOTES
				+ Pattern.quote(", \"call_id\": \"") + "\\" + group + Pattern.quote("\"}[/TOOL_RESULTS]");
	}

}
