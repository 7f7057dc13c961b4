@NullMarked
package io.vireo.internal.codec;

import org.jspecify.annotations.NullMarked;
