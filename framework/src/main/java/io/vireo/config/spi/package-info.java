@NullMarked
package io.vireo.config.spi;

import org.jspecify.annotations.NullMarked;
