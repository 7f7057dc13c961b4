@NullMarked
package io.vireo.samples;

import org.jspecify.annotations.NullMarked;
