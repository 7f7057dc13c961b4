/**
 * The embedded registry: in one JVM, the default when no other registry is configured ({@code
 * vireo.registry=memory}).
 */
@NullMarked
package io.vireo.registry.memory;

import org.jspecify.annotations.NullMarked;
