@NullMarked
package io.vireo.internal.memory;

import org.jspecify.annotations.NullMarked;
