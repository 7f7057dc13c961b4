/**
 * ZooKeeper for Vireo: a {@link io.vireo.registry.Registry} over Apache Curator's service discovery
 * ({@link io.vireo.registry.zookeeper.ZooKeeperRegistry}, selected with {@code
 * vireo.registry=zookeeper}) and a config center ({@link
 * io.vireo.registry.zookeeper.ZooKeeperConfigSource}, selected with {@code
 * vireo.config.sources=zookeeper}).
 */
@NullMarked
package io.vireo.registry.zookeeper;

import org.jspecify.annotations.NullMarked;
