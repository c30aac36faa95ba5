package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile templates (they come from model files) are stopped at a named limit, quickly.
 */
class TemplateLimitsTests {

	/**
	 * Far above what any limit takes to trip (also on a loaded machine), far below "hangs
	 * a core".
	 */
	private static final Duration BOUND = Duration.ofSeconds(30);

	/**
	 * A deadline the other limits trip long before, so that a busy test machine does not
	 * decide which limit fires.
	 */
	private static ChatTemplate compile(String source) throws TemplateException {
		return ChatTemplate.compile("hostile.jinja", source).withLimit(TemplateLimit.RENDER_MILLIS, BOUND.toMillis());
	}

	private static TemplateLimitException refusal(ChatTemplate template) {
		return assertTimeout(BOUND, () -> assertThrows(TemplateLimitException.class,
				() -> template.render(List.of(new ChatMessage("user", "hi")), true, Map.of())));
	}

	private static TemplateLimitException refusal(String source) throws TemplateException {
		return refusal(compile(source));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiterString = "=>", value = {
			"{% for i in range(1000000) %}{% for j in range(1000000) %}x{% endfor %}{% endfor %} => LOOP_ITERATIONS",
			"{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}                            => CALL_DEPTH",
			"{% macro f() %}{{ f() ~ f() }}{% endmacro %}{{ f() }}                              => CALL_DEPTH",
			"{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %} => STRING_CHARS",
			"{% set ns = namespace(s=[1]) %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}  => LIST_ITEMS",
			"{{ 'ab' * 10 ** 9 }}                                                              => STRING_CHARS",
			"{{ range(10 ** 12)|length }}                                                      => LIST_ITEMS",
			"{{ ('x' * 2000000)|list|length }}                                                 => LIST_ITEMS",
			"{{ ('x' * 10000000)|replace('x', 'yyyyyy') }}                                     => STRING_CHARS",
			"{{ (['x' * 1000000] * 100)|join }}                                                => STRING_CHARS",
			"{{ ['x' * 1000000] * 100 }}                                                       => STRING_CHARS",
			"{{ (['x' * 1000000] * 100)|tojson }}                                              => STRING_CHARS",
			"{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}                          => OUTPUT_CHARS",
			"{% for i in range(100000) %}{% set s = 'x' * 1000 %}{% endfor %}                  => CREATED_ITEMS",
			"{{ (['x' * 1000000] * 1000)|map('upper')|length }}                                => CREATED_ITEMS" })
	void aHostileTemplateIsStoppedAtItsLimit(String source, TemplateLimit limit) throws TemplateException {
		TemplateLimitException e = refusal(source.strip());
		assertEquals(limit, e.limit(), e.getMessage());
		assertEquals(limit.defaultValue(), e.limitValue());
		assertEquals(true, e.reason().endsWith("(template limit " + limit + " = " + limit.defaultValue() + ")"),
				e.reason());
	}

	@Test
	void theRefusalNamesTheLimitTheTemplateAndTheLine() throws TemplateException {
		TemplateLimitException e = refusal("{% macro f(n) %}\n{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
		assertEquals("hostile.jinja:2: macro calls nested deeper than 64 (template limit CALL_DEPTH = 64)",
				e.getMessage());
	}

	@Test
	void theDefaultRenderDeadlineStopsAQuadraticFilter() throws TemplateException {
		TemplateLimitException e = refusal(
				ChatTemplate.compile("hostile.jinja", "{{ range(1000000)|list|unique|length }}"));
		assertEquals(TemplateLimit.RENDER_MILLIS, e.limit());
		assertEquals(TemplateLimit.RENDER_MILLIS.defaultValue(), e.limitValue());
	}

	@Test
	void theRenderDeadlineStopsWorkInsideOneFilterCall() throws TemplateException {
		ChatTemplate sorting = ChatTemplate
			.compile("hostile.jinja",
					"{% for i in range(1000) %}{{ (['b' * 100000, 'a' * 100000] * 5000)|sort|length }}{% endfor %}")
			.withLimit(TemplateLimit.RENDER_MILLIS, 200);
		long start = System.nanoTime();
		TemplateLimitException e = refusal(sorting);
		long millis = (System.nanoTime() - start) / 1_000_000;
		assertEquals(TemplateLimit.RENDER_MILLIS, e.limit());
		assertEquals(200, e.limitValue());
		assertEquals(true, millis < 5_000, "stopped after " + millis + " ms");
	}

	@Test
	void longSubstringSearchesStayLinear() throws TemplateException {
		ChatTemplate search = compile("{% set hay = 'a' * 4000000 %}"
				+ "{{ ('a' * 1000000 ~ 'b') in hay }} {{ hay.count('a' * 2000000) }} {{ hay.find('a' * 10 ~ 'b') }}"
				+ " {{ (hay ~ 'b').split('a' * 3999999 ~ 'b')|length }} {{ hay.strip('b' * 100 ~ 'a')|length }}");
		assertEquals("False 2 -1 2 0", assertTimeout(BOUND, () -> search.render(Map.of())));
	}

	@Test
	void stringsLongerThanTheListLimitCanStillBeIndexedAndSliced() throws TemplateException {
		ChatTemplate slicing = compile(
				"{% set s = 'ab' * 2000000 %}{{ s[-1] }}{{ s[:3] }}{{ s[::1000000]|length }}{{ s|reverse|first }}"
						+ "{{ s.replace('', '-', 2)[:4] }}");
		assertEquals("baba4b-a-b", assertTimeout(BOUND, () -> slicing.render(Map.of())));
	}

	@Test
	void valuesNestedTooDeeplyAreRefusedInsteadOfOverflowingTheStack() {
		TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("t.jinja",
				"{% set ns = namespace(x=[]) %}{% for i in range(30000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}")
			.render(Map.of()));
		assertEquals("values nested too deeply to render", e.reason());
	}

	@Test
	void aLongConversationRendersWithinTheLimits() throws TemplateException {
		// 2,000 messages of 2,000 characters through the ChatML fallback: 4 M characters
		// of prompt
		List<ChatMessage> messages = new java.util.ArrayList<>();
		for (int i = 0; i < 2000; i++) {
			messages.add(new ChatMessage(i % 2 == 0 ? "user" : "assistant", "w".repeat(2000)));
		}
		String prompt = ChatTemplate.defaultFor(TemplateFamily.CHATML).render(messages, true, Map.of());
		assertEquals(true, prompt.length() > 4_000_000);
	}

}
