@NullMarked
package io.vireo.transport;

import org.jspecify.annotations.NullMarked;
