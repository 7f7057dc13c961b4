@NullMarked
package io.vireo.samples.greeter;

import org.jspecify.annotations.NullMarked;
