package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Syntax and runtime errors name the template, the line and what is wrong (as Jinja2
 * words it).
 */
class TemplateErrorsTests {

	private static TemplateException renderError(String source) {
		return assertThrows(TemplateException.class,
				() -> ChatTemplate.compile("t.jinja", source).render(Map.of("d", Map.of("a", 1L))));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
			"{{ 'a' + 1 }}                    => can only concatenate str (not \"int\") to str",
			"{{ missing.attr }}               => 'missing' is undefined",
			"{{ d.a.b.c }}                    => 'int object' has no attribute 'b'",
			"{{ none.x.y }}                   => 'None' has no attribute 'x'",
			"{{ [1][5].x }}                   => list object has no element 5",
			"{% for x in 5 %}{% endfor %}     => 'int' object is not iterable",
			"{{ [1] < 'a' }}                  => '<' not supported between instances of 'list' and 'str'",
			"{{ d.pop('a') }}                 => access to attribute 'pop' of 'dict' object is unsafe.",
			"{{ 1 / 0 }}                      => division by zero",
			"{% set x = 1 %}{% set x.y = 2 %} => cannot assign attribute on non-namespace object 'x'",
			"{{ x|tojson }}                   => Object of type Undefined is not JSON serializable",
			"{{ 'abc'|nosuchfilter }}         => no filter named 'nosuchfilter'",
			"{{ 1 is nosuchtest }}            => no test named 'nosuchtest'",
			"{{ 'abc'() }}                    => 'str' object is not callable",
			"{{ 'a b'.split(1) }}             => must be str or None, not int",
			"{% set a, b = [1] %}             => cannot unpack 1 values into 2 names",
			"{{ '%s' % 1 }}                   => printf-style '%' string formatting is not supported in chat templates" })
	void runtimeErrorsSayWhatWentWrong(String source, String reason) {
		TemplateException e = renderError(source.strip());
		assertEquals(reason, e.reason());
		assertEquals("t.jinja", e.templateName());
		assertFalse(e.raisedByTemplate());
	}

	@Test
	void runtimeErrorsNameTheLineOfTheFailingExpression() {
		TemplateException e = renderError("line one\n{% if true %}\n  {{ 'ok' }}\n  {{ 'x' + none }}\n{% endif %}");
		assertEquals(4, e.line());
		assertEquals("t.jinja:4: can only concatenate str (not \"NoneType\") to str", e.getMessage());
	}

	@Test
	void errorsInsideAMacroNameTheLineInTheMacro() {
		TemplateException e = renderError("{% macro m() %}\n{{ nope.x }}\n{% endmacro %}\n\n{{ m() }}");
		assertEquals(2, e.line());
		assertEquals("'nope' is undefined", e.reason());
	}

	@Test
	void raiseExceptionIsTheTemplateRefusingItsInput() {
		TemplateException e = renderError("\n{{ raise_exception('Nope: ' ~ 3) }}");
		assertTrue(e.raisedByTemplate());
		assertEquals("Nope: 3", e.reason());
		assertEquals(2, e.line());
		assertEquals("t.jinja:2: template refused: Nope: 3", e.getMessage());
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', value = {
			"{% if x %}                    | 1 | unexpected end of template: expected 'elif' or 'else' or 'endif' to close 'if' from line 1",
			"{{ 1 + }}                     | 1 | unexpected end of tag '}}' in expression",
			"{% for x %}                   | 1 | expected 'in' in for loop, got end of tag '%}'",
			"{% endfor %}                  | 1 | unknown or unexpected tag 'endfor'",
			"{{ 'unterminated }}           | 1 | unterminated string literal",
			"{% include 'other.jinja' %}   | 1 | unknown or unexpected tag 'include'",
			"{# never closed               | 1 | unclosed comment, missing '#}'",
			"`\n{% raw %}never closed`      | 2 | missing end of raw directive, '{% endraw %}'",
			"{{ x                          | 1 | unclosed tag, missing '}}'",
			"`a\n{% if x %}\n{% else %}\n{% elif y %}{% endif %}` | 4 | unknown or unexpected tag 'elif'",
			"`{{ 1 }}\n\n{{ x $ y }}`      | 3 | unexpected character '$' in tag",
			"{% macro m(a b) %}{% endmacro %} | 1 | expected ',', got 'b'",
			"`{% for i in x %}{% endfor %}\n{% break %}` | 2 | 'break' outside loop",
			"{% for i in x %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %} | 1 | 'continue' outside loop" })
	void syntaxErrorsNameTheLine(String source, int line, String reason) {
		TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("t.jinja", source));
		assertEquals(reason, e.reason());
		assertEquals(line, e.line());
	}

	@Test
	void deepNestingIsRefusedInsteadOfOverflowingTheStack() {
		String deep = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
		TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("t.jinja", deep));
		assertEquals("blocks or expressions nested deeper than 100 levels", e.reason());
		String blocks = "{% if true %}".repeat(5000);
		assertThrows(TemplateException.class, () -> ChatTemplate.compile("t.jinja", blocks));
		String chain = "{{ 1" + " + 1".repeat(100_000) + " }}";
		e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("t.jinja", chain));
		assertEquals("expression chain longer than 256 operators", e.reason());
	}

	@Test
	void aContextValueOfAnUnusableTypeIsRejected() throws TemplateException {
		ChatTemplate template = ChatTemplate.compile("t.jinja", "{{ x }}");
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> template.render(Map.of("x", new Object())));
		assertEquals("a template cannot use a value of type java.lang.Object", e.getMessage());
	}

}
