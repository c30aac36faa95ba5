/**
 * The llcuda managed service: an OpenAI-compatible HTTP API, a chat API and page,
 * Actuator.
 */
@NullMarked
package dev.llcuda.sample;

import org.jspecify.annotations.NullMarked;
