@NullMarked
package io.vireo.broker.spi;

import org.jspecify.annotations.NullMarked;
