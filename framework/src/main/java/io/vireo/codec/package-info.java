@NullMarked
package io.vireo.codec;

import org.jspecify.annotations.NullMarked;
