@NullMarked
package io.vireo.wrapper.spi;

import org.jspecify.annotations.NullMarked;
