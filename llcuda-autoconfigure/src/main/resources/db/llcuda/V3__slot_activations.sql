-- The model each named model of the set (llcuda.models.NAME) was last activated with through the
-- registry, so that the activation survives a restart as the default model's ACTIVE row does.
CREATE TABLE slot_activations (
    slot         VARCHAR(128) PRIMARY KEY,
    model_id     BIGINT       NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    activated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
