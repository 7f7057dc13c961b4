@NullMarked
package io.vireo.broker.kafka;

import org.jspecify.annotations.NullMarked;
