package dev.llcuda.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Small templates covering whitespace control, printing of Python values, string methods,
 * filters, tests, loops, scoping, macros and expressions. Each expected string is what
 * Python's Jinja2 3.1 renders with Hugging Face's settings (trim_blocks, lstrip_blocks,
 * loopcontrols, json.dumps as tojson) for the same context.
 */
class JinjaCompatibilityTests {

	static final Map<String, Object> CONTEXT = Map.of("users",
			List.of(Map.of("role", "user", "name", "u1"), Map.of("role", "assistant", "name", "a"),
					Map.of("role", "user", "name", "u2")),
			"d", Json.parse("{\"a\": 1, \"b\": {\"c\": \"deep\"}}", "d"), "messages",
			List.of(new ChatMessage("system", "s"), new ChatMessage("user", "last")));

	@ParameterizedTest(name = "[{index}] {0}")
	@MethodSource("templates")
	void rendersLikePythonJinja2(String source, String expected) throws TemplateException {
		assertEquals(expected, ChatTemplate.compile("t", source).render(CONTEXT));
	}

	static Stream<Arguments> templates() {
		return Stream.of(Arguments.of("a  {%- if true %} b {% endif -%}  c", "a b c"),
				Arguments.of("a {% raw %}\n{{ x }}{% if %}\n{% endraw %}\nb", "a \n{{ x }}{% if %}\nb"),
				Arguments.of("a\n  {%- raw -%}  {{ y }}  {%- endraw -%}  \nb", "a{{ y }}b"),
				Arguments.of("x\n  {% raw %}q{% endraw %}\n", "x\nq"),
				Arguments.of("{% if true %}\nx\n{% endif %}\ny", "x\ny"),
				Arguments.of("  {% if true %}\n  x\n  {% endif %}\nz", "  x\nz"),
				Arguments.of("a {{- ' b ' -}} c", "a b c"), Arguments.of("x\n  {#- note #}\n  {# other #}\ny", "xy"),
				Arguments.of("{% if true +%}\nkeep{%+ endif %}", "\nkeep"),
				Arguments.of("  {{ 'v' }}  {% if true %}w{% endif %}", "  v  w"), Arguments.of("line\n\n", "line\n"),
				Arguments.of("a\r\nb", "a\nb"),
				Arguments.of(
						"{{ true }} {{ none }} {{ 1.0 }} {{ 1e20 }} {{ 0.0001 }} {{ 1.5e-7 }} {{ 10 / 4 }} {{ 7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }}",
						"True None 1.0 1e+20 0.0001 1.5e-07 2.5 3 2 1024"),
				Arguments.of(
						"{{ [1, 'a', none, true, 2.5] }} {{ {'k': 'v', 'n': [1]} }} {{ ('t',) }} {{ \"it's\" }} {{ ['it\\'s'] }}",
						"[1, 'a', None, True, 2.5] {'k': 'v', 'n': [1]} ('t',) it's [\"it's\"]"),
				Arguments.of("{{ 'a' ~ 1 ~ none }} {{ 'ab' * 3 }} {{ [0] * 2 }} {{ 'x' + 'y' }}",
						"a1None ababab [0, 0] xy"),
				Arguments.of(
						"{{ '  hi  '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '\\n\\nA\\n'.lstrip('\\n') }}|{{ 'a b  c'.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}",
						"hi|hi|A\n|['a', 'b', 'c']|['a', 'b', '', 'c']|['a', 'b,c']"),
				Arguments.of(
						"{{ 'Hello'.startswith('He') }} {{ 'Hello'.endswith(('x', 'lo')) }} {{ 'a-b'.replace('-', '+') }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'abc'.upper() }}",
						"True True a+b Hello World Hello ABC"),
				Arguments.of(
						"{{ 'abcdef'[1:4] }} {{ 'abcdef'[::-1] }} {{ [1,2,3,4][-2:] }} {{ [1,2,3,4][::2] }} {{ 'abc'[-1] }} {{ 'Gr\u00fc\u00dfe'|length }}",
						"bcd fedcba [3, 4] [1, 3] c 5"),
				Arguments.of(
						"{{ '  x  '|trim }}|{{ [3,1,2]|sort }}|{{ ['b','A','a']|sort }}|{{ [1,2,2,1]|unique|list }}|{{ [1,2,3]|join('-') }}|{{ [1,2,3]|sum }}|{{ [4,2,9]|max }}",
						"x|[1, 2, 3]|['A', 'a', 'b']|[1, 2]|1-2-3|6|9"),
				Arguments.of(
						"{{ x|default('d') }}|{{ ''|default('d', true) }}|{{ none|default('d') }}|{{ [1,2]|first }}|{{ [1,2]|last }}|{{ 'abc'|reverse }}|{{ '42'|int + 1 }}|{{ '2.5'|float }}|{{ 2.675|round(2) }}|{{ -3|abs }}",
						"d|d|None|1|2|cba|43|2.5|2.67|3"),
				Arguments.of(
						"{{ {'b': 1, 'a': [1, 2.0, none, true]}|tojson }}|{{ {'b': 1, 'a': []}|tojson(indent=2) }}|{{ 'Gr\u00fc\u00dfe \"q\" \\\\ \\n <&>'|tojson }}|{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }}",
						"{\"b\": 1, \"a\": [1, 2.0, null, true]}|{\n  \"b\": 1,\n  \"a\": []\n}|\"Gr\u00fc\u00dfe \\\"q\\\" \\\\ \\n <&>\"|{\"a\": 2, \"b\": 1}"),
				Arguments.of(
						"{% for k, v in {'a': 1, 'b': 2}|items %}{{ k }}={{ v }};{% endfor %}{% for k, v in {'x': 3}.items() %}{{ k }}{{ v }}{% endfor %}",
						"a=1;b=2;x3"),
				Arguments.of(
						"{{ users|selectattr('role', 'equalto', 'user')|map(attribute='name')|join(',') }}|{{ users|rejectattr('role', 'equalto', 'user')|list|length }}|{{ [1,2,3,4]|select('odd')|list }}|{{ [1,2,3]|map('string')|join }}",
						"u1,u2|1|[1, 3]|123"),
				Arguments.of(
						"{{ 'a\\nb'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'HeLLo'|lower }}|{{ 'hello there'|title }}|{{ 3|string + 'x' }}",
						"a\n  b|  a\n  b|hello|Hello There|3x"),
				Arguments.of(
						"{{ 'a' is string }} {{ 1 is number }} {{ true is number }} {{ 1 is integer }} {{ 1.0 is float }} {{ {} is mapping }} {{ 'a' is iterable }} {{ x is iterable }} {{ none is none }} {{ x is defined }} {{ 3 is odd }} {{ 4 is divisibleby 2 }} {{ 1 is sameas true }} {{ 'a' is in 'abc' }} {{ 2 is gt 1 }}",
						"True True True True True True True True True False True True False True True"),
				Arguments.of(
						"{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{{ loop.index }}{{ loop.first }}{{ loop.last }}{% endfor %}",
						"01TrueFalse23FalseFalse"),
				Arguments.of(
						"{% for i in [1,2,3] if i != 2 %}{{ i }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{% else %}none{% endfor %}|{% for i in [] %}x{% else %}empty{% endfor %}",
						"1False223True21|empty"),
				Arguments.of(
						"{% for i in 'ab' %}{{ loop.previtem }}-{{ loop.nextitem }}-{{ loop.cycle('o', 'e') }};{% endfor %}",
						"-b-o;a--e;"),
				Arguments.of("{% set x = 0 %}{% for i in [1,2] %}[{{ x }}]{% set x = i %}{% endfor %}{{ x }}",
						"[0][0]0"),
				Arguments.of(
						"{% set ns = namespace(c=0, items=[]) %}{% for i in [1,2,3] %}{% set ns.c = ns.c + i %}{% endfor %}{{ ns.c }}",
						"6"),
				Arguments.of("{% set a, b = [1, 2] %}{{ b }}{{ a }}{% set t = 1, 2 %}{{ t }}", "21(1, 2)"),
				Arguments.of("{% set block %}in {{ 'side' }}{% endset %}[{{ block }}]", "[in side]"),
				Arguments.of(
						"{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('A') }} {{ greet('B', greeting='Hi') }} {{ greet() }}",
						"Hello, A! Hi, B! Hello, !"),
				Arguments.of(
						"{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}",
						"120"),
				Arguments.of(
						"{{ 1 if false }}|{{ 'y' if 1 < 2 < 3 else 'n' }}|{{ not 1 in [1] }}|{{ 1 not in [1] }}|{{ [] or 'e' }}|{{ 0 and 1 }}|{{ -2 ** 2 }}|{{ (1, 2) == (1, 2) }}|{{ 1 == 1.0 }}|{{ 'x' != 'y' }}",
						"|y|False|False|e|0|4|True|True|True"),
				Arguments.of(
						"{{ d.get('a') }} {{ d.get('z', 'dflt') }} {{ d['b']['c'] }} {{ d.b.c }} {{ d.keys()|list }} {{ d.values()|list|length }} {{ d.missing }}|{{ 'b' in d }}",
						"1 dflt deep deep ['a', 'b'] 2 |True"),
				Arguments.of(
						"{{ messages[1:]|length }} {{ messages[-1].content }} {{ messages|selectattr('role','equalto','user')|list|last }}",
						"1 last {'role': 'user', 'content': 'last'}"));
	}

}
