@NullMarked
package io.vireo.selector;

import org.jspecify.annotations.NullMarked;
