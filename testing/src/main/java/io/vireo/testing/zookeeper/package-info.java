/**
 * A real ZooKeeper server for JUnit 5 tests: {@link io.vireo.testing.zookeeper.ZooKeeperExtension}.
 */
@NullMarked
package io.vireo.testing.zookeeper;

import org.jspecify.annotations.NullMarked;
