@NullMarked
package io.vireo.internal.observability;

import org.jspecify.annotations.NullMarked;
