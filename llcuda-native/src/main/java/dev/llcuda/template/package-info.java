/**
 * Chat templates: renders a model's {@code tokenizer.chat_template} exactly as Hugging
 * Face's {@code apply_chat_template} does (Jinja2 with trim_blocks, lstrip_blocks and
 * loop controls, an immutable sandbox, {@code tojson} as {@code json.dumps},
 * {@code raise_exception} and {@code strftime_now}).
 *
 * <p>
 * Entry points: {@link dev.llcuda.template.ChatTemplate} (compile, render, built-in
 * fallbacks), {@link dev.llcuda.template.ChatMessage},
 * {@link dev.llcuda.template.TemplateFamily} (which fallback suits a model without a
 * template) and {@link dev.llcuda.template.TemplateException}.
 *
 * <p>
 * Pipeline: {@code Lexer} (text and tag tokens, whitespace rules) → {@code Parser}
 * (statements {@code Node}, expressions {@code Expr}) → {@code Interpreter} over
 * Python-like values ({@code Values}, {@code Operators}, {@code Access}, {@code Methods},
 * {@code Filters}, {@code Tests}, {@code Builtins}).
 *
 * <p>
 * The subset: if/elif/else, for (with {@code if} filter, {@code else}, {@code loop.*}),
 * break/continue, set (names, tuples, namespace attributes, blocks), macros with defaults
 * and keywords, raw, Hugging Face's generation blocks; every operator and literal of
 * Jinja2 expressions; the str, dict and list methods and the filters and tests chat
 * templates use. Not supported, with a clear error: include/import/extends, call and
 * filter blocks, recursive loops, printf-style {@code %} formatting and
 * {@code str.format}.
 */
package dev.llcuda.template;
