/**
 * etcd for Vireo: a {@link io.vireo.registry.Registry} on etcd's v3 API ({@link
 * io.vireo.registry.etcd.EtcdRegistry}, selected with {@code vireo.registry=etcd}) and a config
 * center ({@link io.vireo.registry.etcd.EtcdConfigSource}, selected with {@code
 * vireo.config.sources=etcd}).
 */
@NullMarked
package io.vireo.registry.etcd;

import org.jspecify.annotations.NullMarked;
