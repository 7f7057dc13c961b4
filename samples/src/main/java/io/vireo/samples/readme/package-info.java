@NullMarked
package io.vireo.samples.readme;

import org.jspecify.annotations.NullMarked;
