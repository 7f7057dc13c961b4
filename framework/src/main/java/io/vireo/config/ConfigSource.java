package io.vireo.config;

import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A source of configuration values that may change while services run, such as the ZooKeeper config
 * center. Sits above {@code vireo.yaml} and below the environment.
 */
public interface ConfigSource {
  String name();

  /** The values now. Must not block: return what the source last saw. */
  Map<String, String> properties();

  /** The names of the keys that changed, each time some did. */
  Flux<Set<String>> changes();

  Mono<Void> close();
}
