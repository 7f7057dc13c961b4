@NullMarked
package io.vireo.selector.spi;

import org.jspecify.annotations.NullMarked;
