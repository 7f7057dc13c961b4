@NullMarked
package io.vireo.transport.spi;

import org.jspecify.annotations.NullMarked;
