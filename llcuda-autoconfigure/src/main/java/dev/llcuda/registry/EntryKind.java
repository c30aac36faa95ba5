package dev.llcuda.registry;

/** What a registry entry is, as registering it found. */
public enum EntryKind {

	/** A GGUF model file. */
	GGUF_MODEL(false),
	/**
	 * A Hugging Face model directory ({@code config.json}, tokenizer, safetensors),
	 * converted to GGUF when it is activated.
	 */
	HF_CHECKPOINT(false),
	/**
	 * A LoRA adapter as a GGUF file ({@code general.type = adapter}, as llama.cpp's
	 * converter writes it).
	 */
	GGUF_ADAPTER(true),
	/**
	 * A LoRA adapter as a PEFT directory ({@code adapter_config.json},
	 * {@code adapter_model.safetensors}).
	 */
	PEFT_ADAPTER(true);

	private final boolean adapter;

	EntryKind(boolean adapter) {
		this.adapter = adapter;
	}

	/** Whether it is a LoRA adapter (activated with a model, never alone). */
	public boolean isAdapter() {
		return this.adapter;
	}

	/** Whether it is a directory rather than one file. */
	public boolean isDirectory() {
		return this == HF_CHECKPOINT || this == PEFT_ADAPTER;
	}

}
