@NullMarked
package io.vireo.codec.spi;

import org.jspecify.annotations.NullMarked;
