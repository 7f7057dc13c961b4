@NullMarked
package io.vireo.internal.runtime;

import org.jspecify.annotations.NullMarked;
