/** Spring Boot auto-configuration of llcuda: properties, conditions and bean wiring. */
@NullMarked
package dev.llcuda.autoconfigure;

import org.jspecify.annotations.NullMarked;
