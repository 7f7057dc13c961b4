@NullMarked
package io.vireo.registry;

import org.jspecify.annotations.NullMarked;
