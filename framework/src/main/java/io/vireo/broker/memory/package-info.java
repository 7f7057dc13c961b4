/**
 * The embedded broker: in one JVM, the default when no other broker is configured ({@code
 * vireo.broker=memory}).
 */
@NullMarked
package io.vireo.broker.memory;

import org.jspecify.annotations.NullMarked;
