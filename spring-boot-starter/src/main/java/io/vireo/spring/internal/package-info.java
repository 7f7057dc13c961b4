/**
 * The starter's implementation: may change or be removed at any time; only {@code io.vireo.spring}
 * is API.
 */
@NullMarked
package io.vireo.spring.internal;

import org.jspecify.annotations.NullMarked;
