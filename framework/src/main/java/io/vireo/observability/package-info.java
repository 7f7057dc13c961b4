@NullMarked
package io.vireo.observability;

import org.jspecify.annotations.NullMarked;
