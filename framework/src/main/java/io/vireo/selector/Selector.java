package io.vireo.selector;

import io.vireo.Call;
import io.vireo.Status;
import io.vireo.registry.ServiceInstance;
import java.util.List;
import java.util.Optional;

/**
 * Picks one instance for one call among the candidates the filters left, and hears how each call
 * went so that adaptive strategies can learn.
 */
public interface Selector {
  /** One of the candidates; empty only when there are none. Never blocks. */
  Optional<ServiceInstance> select(List<ServiceInstance> candidates, Call call);

  /** How a call to {@code instance} ended, and how long it took. */
  default void report(ServiceInstance instance, Call call, Status status, long latencyNanos) {}

  /** Called when a call to {@code instance} starts (for in-flight counts). */
  default void started(ServiceInstance instance, Call call) {}
}
