@NullMarked
package io.vireo.internal.resilience;

import org.jspecify.annotations.NullMarked;
