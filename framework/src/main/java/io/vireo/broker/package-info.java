@NullMarked
package io.vireo.broker;

import org.jspecify.annotations.NullMarked;
