package dev.llcuda.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import org.springframework.ai.model.tool.StructuredOutputChatOptions;

/** The response format: Spring AI's output schema maps onto it and it survives copying and merging. */
class LlcudaChatOptionsTests {

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";

    @Test
    void theOutputSchemaOfSpringAiIsAJsonSchemaResponseFormat() {
        StructuredOutputChatOptions options = LlcudaChatOptions.builder().temperature(0.5).build();
        LlcudaChatOptions withSchema = (LlcudaChatOptions) options.mutate().outputSchema(SCHEMA).build();

        assertThat(withSchema.getOutputSchema()).isEqualTo(SCHEMA);
        assertThat(withSchema.getResponseFormat()).isEqualTo(LlcudaResponseFormat.jsonSchema(SCHEMA));
        assertThat(withSchema.getTemperature()).isEqualTo(0.5);
    }

    @Test
    void theResponseFormatSurvivesMutateAndWinsOverDefaultsWhenSet() {
        LlcudaChatOptions defaults = LlcudaChatOptions.builder().responseFormat(LlcudaResponseFormat.jsonObject()).build();
        LlcudaChatOptions request = LlcudaChatOptions.builder().outputSchema(SCHEMA).build();

        assertThat(defaults.mutate().build()).isEqualTo(defaults);
        assertThat(request.overriding(defaults).getResponseFormat()).isEqualTo(LlcudaResponseFormat.jsonSchema(SCHEMA));
        assertThat(LlcudaChatOptions.builder().build().overriding(defaults).getResponseFormat())
                .isEqualTo(LlcudaResponseFormat.jsonObject());
        assertThat(LlcudaChatOptions.builder().build().getOutputSchema()).isNull();
        assertThat(defaults.getOutputSchema()).isNull();
    }

    @Test
    void aSchemaGoesWithTheJsonSchemaTypeOnly() {
        assertThatThrownBy(() -> new LlcudaResponseFormat(LlcudaResponseFormat.Type.JSON_OBJECT, SCHEMA))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LlcudaResponseFormat(LlcudaResponseFormat.Type.JSON_SCHEMA, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
