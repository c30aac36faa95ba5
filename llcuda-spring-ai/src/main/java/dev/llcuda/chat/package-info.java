/** Spring AI's {@code ChatModel} over the llcuda engine, and its options. */
@NullMarked
package dev.llcuda.chat;

import org.jspecify.annotations.NullMarked;
