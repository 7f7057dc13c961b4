@NullMarked
package io.vireo.internal.selector;

import org.jspecify.annotations.NullMarked;
