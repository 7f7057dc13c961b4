/**
 * The gateway's implementation. Internal: these types may change or be removed at any time; use
 * {@link io.vireo.gateway.Gateway}.
 */
@NullMarked
package io.vireo.gateway.internal;

import org.jspecify.annotations.NullMarked;
