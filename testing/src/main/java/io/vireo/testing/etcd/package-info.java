/**
 * A real etcd server for JUnit 5 tests, run as a child process: {@link
 * io.vireo.testing.etcd.EtcdExtension}.
 */
@NullMarked
package io.vireo.testing.etcd;

import org.jspecify.annotations.NullMarked;
