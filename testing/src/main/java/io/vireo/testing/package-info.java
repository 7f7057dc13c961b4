@NullMarked
package io.vireo.testing;

import org.jspecify.annotations.NullMarked;
