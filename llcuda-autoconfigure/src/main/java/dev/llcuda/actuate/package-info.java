/**
 * Actuator support: the {@code llcuda} health contributor, Micrometer meters and the
 * model registry endpoint.
 */
@NullMarked
package dev.llcuda.actuate;

import org.jspecify.annotations.NullMarked;
