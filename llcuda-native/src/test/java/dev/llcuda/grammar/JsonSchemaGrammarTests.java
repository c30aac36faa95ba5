package dev.llcuda.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JSON Schema features compiled to grammars: which outputs each grammar accepts and refuses. */
class JsonSchemaGrammarTests {

    private final Grammars grammars = new Grammars();

    static boolean accepts(Grammar grammar, String output) {
        MatchState state = MatchState.start(grammar).advance(output.getBytes(StandardCharsets.UTF_8));
        return state != null && state.accepting();
    }

    private void check(String schema, List<String> valid, List<String> invalid) {
        Grammar grammar = grammars.jsonSchema(schema);
        for (String output : valid) {
            assertTrue(accepts(grammar, output), () -> "should accept " + output);
        }
        for (String output : invalid) {
            assertFalse(accepts(grammar, output), () -> "should refuse " + output);
        }
    }

    @Test
    void objectsWithRequiredAndOptionalPropertiesInDeclaredOrder() {
        check("""
                {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
                 "ok":{"type":"boolean"}},"required":["name","ok"],"additionalProperties":false}""",
                List.of("{\"name\":\"Ann\",\"age\":31,\"ok\":true}", "{\"name\":\"\",\"ok\":false}",
                        "{ \"name\" : \"x\" ,\n\"ok\": true }", " {\"name\":\"x\",\"ok\":true}\n"),
                List.of("{\"age\":3,\"ok\":true}", "{\"name\":\"x\"}", "{\"name\":\"x\",\"ok\":true,\"z\":1}",
                        "{\"ok\":true,\"name\":\"x\"}", "{\"name\":\"x\",,\"ok\":true}", "{\"name\":\"x\",\"ok\":true",
                        "{\"name\":\"x\",\"ok\":true}}", "{\"name\":\"x\",    \"ok\":true}"));
    }

    @Test
    void nestedObjectsAndRefsToDefs() {
        check("""
                {"$defs":{"Point":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},
                 "required":["x","y"]}},
                 "type":"object","properties":{"from":{"$ref":"#/$defs/Point"},"to":{"$ref":"#/$defs/Point"},
                 "meta":{"type":"object","properties":{"tag":{"type":"string"}},"required":["tag"]}},
                 "required":["from","to","meta"]}""",
                List.of("{\"from\":{\"x\":1,\"y\":-2.5},\"to\":{\"x\":0.0,\"y\":1e3},\"meta\":{\"tag\":\"t\"}}"),
                List.of("{\"from\":{\"x\":1},\"to\":{\"x\":0,\"y\":1},\"meta\":{\"tag\":\"t\"}}",
                        "{\"from\":{\"x\":1,\"y\":2},\"to\":{\"x\":0,\"y\":1},\"meta\":{}}"));
    }

    @Test
    void enumsConstsAndTypeLists() {
        check("{\"enum\":[\"red\",\"green\",3,null,{\"a\":[1]}]}",
                List.of("\"red\"", "\"green\"", "3", "null", "{\"a\":[1]}"),
                List.of("\"blue\"", "\"re\"", "4", "{\"a\":[2]}"));
        check("{\"const\":\"only\"}", List.of("\"only\""), List.of("\"other\"", "\"onl\""));
        check("{\"type\":[\"string\",\"null\"],\"maxLength\":2}", List.of("\"ab\"", "null"), List.of("\"abc\"", "1"));
    }

    @Test
    void arraysWithMinAndMaxItems() {
        check("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":1,\"maxItems\":3}",
                List.of("[1]", "[1,2,3]", "[ 1 , -2 ]"),
                List.of("[]", "[1,2,3,4]", "[1,]", "[1.5]", "[\"a\"]"));
        check("{\"type\":\"array\",\"items\":{\"type\":\"boolean\"}}",
                List.of("[]", "[true]", "[true,false,true,true,false]"), List.of("[null]"));
        check("{\"type\":\"array\",\"maxItems\":0}", List.of("[]"), List.of("[1]"));
    }

    @Test
    void numbersIntegersAndBooleans() {
        check("{\"type\":\"integer\"}", List.of("0", "-7", "1234567890123456"),
                List.of("01", "1.5", "-", "+1", "1e3", "12345678901234567"));
        check("{\"type\":\"number\"}", List.of("0", "-0.5", "3.25E-7", "10e+2", "7"),
                List.of(".5", "1.", "1e", "--1", "1.5.2"));
        check("{\"type\":\"integer\",\"format\":\"int32\"}", List.of("999999999", "-5"), List.of("1000000000"));
        check("{\"type\":\"integer\",\"format\":\"int64\"}", List.of("999999999999999999"),
                List.of("1000000000000000000"));
        check("{\"type\":\"boolean\"}", List.of("true", "false"), List.of("tru", "True", "1"));
        check("{\"type\":\"null\"}", List.of("null"), List.of("nul", "\"null\""));
    }

    @Test
    void stringsCountCharactersNotBytesAndAllowEscapes() {
        check("{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}",
                List.of("\"ab\"", "\"abc\"", "\"é✓\"", "\"\\n\\u00e9\"", "\"a\\\"\""),
                List.of("\"a\"", "\"abcd\"", "\"a\nb\"", "\"a\\x\"", "\"ab"));
        check("{\"type\":\"string\"}", List.of("\"\"", "\"😀 x\""), List.of("\"\\u12\"", "\"\u0001\""));
    }

    @Test
    void anyOfIsEitherSchema() {
        check("{\"anyOf\":[{\"type\":\"string\",\"maxLength\":1},{\"type\":\"integer\"},"
                + "{\"type\":\"object\",\"properties\":{\"k\":{\"const\":1}},\"required\":[\"k\"]}]}",
                List.of("\"a\"", "42", "{\"k\":1}"), List.of("\"ab\"", "1.5", "{\"k\":2}", "true"));
    }

    @Test
    void untypedSchemasAreAnyValueAndBareObjectsAnyObject() {
        check("{}", List.of("1", "\"s\"", "[{\"a\":[null,{}]}]", "{\"x\":{\"y\":[1,2]}}"), List.of("{", "nope"));
        check("{\"type\":\"object\"}", List.of("{}", "{\"a\":1,\"b\":[true]}"), List.of("[]", "1"));
        check("{\"type\":\"object\",\"additionalProperties\":false}", List.of("{}"), List.of("{\"a\":1}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
        "`{\"type\":\"string\",\"pattern\":\"a+\"}` => #/pattern: keyword 'pattern' is not supported",
        "`{\"type\":\"string\",\"format\":\"date\"}` => #/format: keyword 'format' is not supported for type [string]",
        "`{\"type\":\"integer\",\"format\":\"uint8\"}` => #/format: format \"uint8\" is not supported for integers",
        "`{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"minimum\":0}}}` => #/properties/n/minimum: keyword 'minimum' is not supported for type [number]",
        "`{\"type\":[\"integer\",\"number\"],\"maximum\":3}` => #/maximum: keyword 'maximum' is only supported for integers",
        "`{\"type\":\"integer\",\"exclusiveMinimum\":0}` => #/exclusiveMinimum: keyword 'exclusiveMinimum' is not supported",
        "`{\"type\":\"integer\",\"minimum\":5,\"maximum\":4}` => #: no integer of at most 16 digits lies in [minimum, maximum] = [5, 4]",
        "`{\"type\":\"integer\",\"minimum\":\"1\"}` => #/minimum: must be a number",
        "`{\"oneOf\":[{\"type\":\"string\"}]}` => #/oneOf: keyword 'oneOf' is not supported",
        "`{\"allOf\":[{\"type\":\"string\"}]}` => #/allOf: keyword 'allOf' is not supported",
        "`{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}` => #/additionalProperties: only true or false",
        "`{\"type\":\"object\",\"properties\":{},\"required\":[\"a\"]}` => #/required: required property \"a\" is not declared",
        "`{\"type\":\"date\"}` => #/type: unknown type 'date'",
        "`{\"type\":\"integer\",\"maxLength\":3}` => #/maxLength: keyword 'maxLength' is not supported for type [integer]",
        "`{\"$defs\":{\"N\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/N\"}}}},\"$ref\":\"#/$defs/N\"}` => #/$defs/N/properties/next/$ref: recursive reference '#/$defs/N'",
        "`{\"$ref\":\"#/$defs/Missing\"}` => #/$ref: '#/$defs/Missing' is not defined",
        "`{\"$ref\":\"http://x/s.json\"}` => #/$ref: only references",
        "`{\"anyOf\":[{\"type\":\"string\"}],\"maxLength\":2}` => #/maxLength: keyword 'maxLength' beside 'anyOf'",
        "`{\"enum\":[\"a\"],\"maxLength\":2}` => #/maxLength: keyword 'maxLength' beside enum/const",
        "`{\"type\":\"string\",\"minLength\":3,\"maxLength\":2}` => #: minLength 3 exceeds maxLength 2",
        "`{\"type\":\"array\",\"maxItems\":99999}` => #/maxItems: must be an integer from 0 to 4096",
        "`{\"type\":\"integer\",\"enum\":[\"a\"]}` => #: value \"a\" is not of type [integer]",
        "`[1]` => #: a schema must be an object",
        "`{\"type\":` => #: not valid JSON"
    })
    void unsupportedOrMalformedSchemasAreRefusedNamingKeywordAndPath(String schema, String message) {
        SchemaException e = assertThrows(SchemaException.class, () -> grammars.jsonSchema(schema));
        assertTrue(e.getMessage().startsWith("JSON schema " + message), e.getMessage());
    }

    /** Integer bounds: every value in the range and none outside, for ranges across signs and digit counts. */
    @ParameterizedTest(name = "[{0}, {1}]")
    @CsvSource({"0, 0", "0, 9", "3, 7", "-5, 5", "-120, -7", "7, 120", "13, 1307", "-1, 0", "99, 101", "-1000, 1000",
        "5, 5", "-3, -3", "100, 999", "1234, 98765"})
    void integerMinimumAndMaximumHoldEveryValueInRangeAndNoneOutside(long min, long max) {
        Grammar grammar = grammars.jsonSchema("{\"type\":\"integer\",\"minimum\":" + min + ",\"maximum\":" + max + "}");
        for (long v = min - 1200; v <= max + 1200; v++) {
            long value = v;
            assertEquals(value >= min && value <= max, accepts(grammar, Long.toString(value)), () -> "value " + value);
        }
        for (String malformed : List.of("-0", "007", "+5", "1.0", "")) {
            assertFalse(accepts(grammar, malformed), () -> "should refuse " + malformed);
        }
    }

    @Test
    void oneSidedAndFractionalBoundsOnIntegers() {
        check("{\"type\":\"integer\",\"minimum\":-2}", List.of("-2", "0", "7", "123456789012"), List.of("-3", "-10"));
        check("{\"type\":\"integer\",\"maximum\":12,\"format\":\"int32\"}", List.of("12", "-999999999", "0"),
                List.of("13", "-1000000000"));
        check("{\"type\":\"integer\",\"minimum\":1.5,\"maximum\":3.9}", List.of("2", "3"), List.of("1", "4"));
        check("{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":150}},"
                + "\"required\":[\"age\"]}", List.of("{\"age\":0}", "{\"age\":150}"), List.of("{\"age\":151}", "{\"age\":-1}"));
    }

    @Test
    void jsonModeAcceptsAnyObjectOnly() {
        Grammar grammar = grammars.jsonObject();
        assertTrue(accepts(grammar, "{\"a\":{\"b\":[1,{\"c\":null}],\"d\":\"e\"}}"));
        assertTrue(accepts(grammar, "{}"));
        assertFalse(accepts(grammar, "[1]"));
        assertFalse(accepts(grammar, "{\"a\"}"));
    }

    @Test
    void choiceIsExactlyOneOfTheStrings() {
        Grammar grammar = grammars.choice(List.of("yes", "no", "maybe"));
        assertTrue(accepts(grammar, "yes"));
        assertTrue(accepts(grammar, "maybe"));
        assertFalse(accepts(grammar, "ye"));
        assertFalse(accepts(grammar, "yes "));
        assertThrows(IllegalArgumentException.class, () -> grammars.choice(List.of()));
    }

    @Test
    void compiledGrammarsAreCached() {
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
        assertSame(grammars.jsonSchema(schema), grammars.jsonSchema(schema));
        assertSame(grammars.jsonObject(), grammars.jsonObject());
        assertEquals(false, grammars.jsonSchema(schema) == grammars.jsonSchema("{\"type\":\"string\"}"));
    }
}
