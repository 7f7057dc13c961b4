/**
 * gRPC server reflection served on every transport. Internal: may change or be removed at any time;
 * the public side is {@link io.vireo.reflection}.
 */
@NullMarked
package io.vireo.internal.reflection;

import org.jspecify.annotations.NullMarked;
