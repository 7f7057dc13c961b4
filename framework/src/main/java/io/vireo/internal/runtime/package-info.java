/**
 * Vireo's implementation, not its API: every type here may change or be removed at any time, in any
 * release. Other modules use the public packages ({@code io.vireo}, its plugin SPIs and the memory
 * plugins in {@code io.vireo.<kind>.memory}).
 */
@NullMarked
package io.vireo.internal.runtime;

import org.jspecify.annotations.NullMarked;
