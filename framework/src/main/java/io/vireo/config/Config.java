package io.vireo.config;

import io.vireo.internal.config.LayeredConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Flux;

/**
 * Vireo's configuration: dash-case keys such as {@code vireo.client.timeout}, read from layers
 * where each one overrides the ones before it:
 *
 * <ol>
 *   <li>built-in defaults;
 *   <li>{@code vireo.yaml} on the classpath, then in the working directory;
 *   <li>dynamic sources such as the ZooKeeper config center ({@code vireo.config.sources});
 *   <li>environment variables ({@code VIREO_CLIENT_TIMEOUT});
 *   <li>system properties ({@code -Dvireo.client.timeout=2s});
 *   <li>values given in code, to {@link io.vireo.Service.Builder#set} or {@link Builder#set}.
 * </ol>
 *
 * Durations are written {@code 250ms}, {@code 5s}, {@code 1m}, {@code 2h} or ISO-8601 ({@code
 * PT5S}); a bare number is milliseconds.
 */
public interface Config {
  /** The value of {@code key}, if any layer has one. */
  Optional<String> get(String key);

  /** The value of {@code key}, or {@code defaultValue}. */
  default String get(String key, String defaultValue) {
    return get(key).orElse(defaultValue);
  }

  /** An integer; a value that is not one fails with a message naming the key. */
  default int getInt(String key, int defaultValue) {
    return get(key).map(value -> Values.parseInt(key, value)).orElse(defaultValue);
  }

  default long getLong(String key, long defaultValue) {
    return get(key).map(value -> Values.parseLong(key, value)).orElse(defaultValue);
  }

  default double getDouble(String key, double defaultValue) {
    return get(key).map(value -> Values.parseDouble(key, value)).orElse(defaultValue);
  }

  default boolean getBoolean(String key, boolean defaultValue) {
    return get(key).map(value -> Values.parseBoolean(key, value)).orElse(defaultValue);
  }

  default Duration getDuration(String key, Duration defaultValue) {
    return get(key).map(value -> Values.parseDuration(key, value)).orElse(defaultValue);
  }

  /**
   * Every key below {@code prefix} (without the prefix and its dot), e.g. {@code
   * subset("vireo.broker.kafka.producer")} gives {@code {linger.ms=5}}.
   */
  Map<String, String> subset(String prefix);

  /**
   * The value of {@code key} now, then each time a dynamic source changes it (empty when it is
   * removed). Never completes by itself.
   */
  Flux<Optional<String>> watch(String key);

  /** Configuration from the standard layers plus {@link Builder#set} values. */
  static Builder builder() {
    return LayeredConfig.builder();
  }

  /** Only these values: for tests and tools. */
  static Config of(Map<String, String> values) {
    return LayeredConfig.builder().standardSources(false).setAll(values).build();
  }

  /** Builds a {@link Config}. */
  interface Builder {
    /** A value above every other layer. */
    Builder set(String key, String value);

    Builder setAll(Map<String, String> values);

    /** A default, below every other layer. */
    Builder setDefault(String key, String value);

    /** Adds a dynamic source, above {@code vireo.yaml} and below the environment. */
    Builder source(ConfigSource source);

    /** Whether to read {@code vireo.yaml}, the environment and system properties (default: yes). */
    Builder standardSources(boolean enabled);

    Config build();
  }
}
