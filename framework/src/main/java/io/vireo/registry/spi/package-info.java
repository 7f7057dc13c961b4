@NullMarked
package io.vireo.registry.spi;

import org.jspecify.annotations.NullMarked;
