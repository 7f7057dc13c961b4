@NullMarked
package io.vireo.internal.wrapper;

import org.jspecify.annotations.NullMarked;
