/**
 * The embedded transport: in one JVM, the default when no other transport is configured ({@code
 * vireo.transport=memory}).
 */
@NullMarked
package io.vireo.transport.memory;

import org.jspecify.annotations.NullMarked;
