-- What each entry is: a GGUF model file, a Hugging Face checkpoint directory, or a LoRA adapter
-- (a GGUF file or a PEFT directory). Every row from before is a GGUF model file.
ALTER TABLE models ADD COLUMN kind VARCHAR(32) DEFAULT 'GGUF_MODEL' NOT NULL;
-- The registered LoRA adapters each activation was made with, in the order given: merged into
-- the weights (merged = TRUE) or loaded beside the model. Slot '' is the default model, whose
-- model is the ACTIVE row; any other slot is a named model of the set (slot_activations).
CREATE TABLE activation_adapters (
    slot          VARCHAR(128) NOT NULL,
    adapter_index INT          NOT NULL,
    model_id      BIGINT       NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    adapter_id    BIGINT       NOT NULL REFERENCES models (id),
    merged        BOOLEAN      NOT NULL,
    PRIMARY KEY (slot, adapter_index)
);
