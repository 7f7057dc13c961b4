@NullMarked
package io.vireo.spi;

import org.jspecify.annotations.NullMarked;
