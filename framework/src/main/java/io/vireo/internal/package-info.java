@NullMarked
package io.vireo.internal;

import org.jspecify.annotations.NullMarked;
