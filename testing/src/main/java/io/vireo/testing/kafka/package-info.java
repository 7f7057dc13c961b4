@NullMarked
package io.vireo.testing.kafka;

import org.jspecify.annotations.NullMarked;
