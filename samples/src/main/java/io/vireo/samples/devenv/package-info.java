/** {@code dev-env}: a real ZooKeeper and Kafka as child processes on fixed loopback ports. */
@NullMarked
package io.vireo.samples.devenv;

import org.jspecify.annotations.NullMarked;
