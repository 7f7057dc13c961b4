@NullMarked
package io.vireo.wrapper;

import org.jspecify.annotations.NullMarked;
