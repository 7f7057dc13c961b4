package io.vireo.gateway.internal;

import io.vireo.config.Values;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A route's filter settings: the global keys ({@code vireo.gateway.<key>}), overridden by the
 * service's ({@code vireo.gateway.services.<service>.<key>}), overridden by the route's. Each value
 * remembers the full key it came from, for error messages.
 */
public final class Policy {
  /** The prefixes of the keys that are filter settings (the rest of vireo.gateway.* is not). */
  public static final List<String> FILTER_KEYS =
      List.of(
          "max-body-size",
          "timeout",
          "auth",
          "rate-limit",
          "circuit-breaker",
          "retry",
          "fallback",
          "canary",
          "cors",
          "request-headers",
          "response-headers",
          "access-log");

  private final Map<String, String> values;
  private final Map<String, String> origins;

  private Policy(Map<String, String> values, Map<String, String> origins) {
    this.values = values;
    this.origins = origins;
  }

  public static Policy empty() {
    return new Policy(Map.of(), Map.of());
  }

  /** The filter settings among {@code keys} (relative to {@code prefix}). */
  public static Policy of(String prefix, Map<String, String> keys) {
    Map<String, String> values = new TreeMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    keys.forEach(
        (key, value) -> {
          if (isFilterKey(key)) {
            values.put(key, value);
            origins.put(key, prefix + key);
          }
        });
    return new Policy(values, origins);
  }

  static boolean isFilterKey(String key) {
    for (String filter : FILTER_KEYS) {
      if (key.equals(filter) || key.startsWith(filter + ".")) {
        return true;
      }
    }
    return false;
  }

  /** This policy with {@code over}'s values on top. */
  public Policy with(Policy over) {
    if (over.values.isEmpty()) {
      return this;
    }
    Map<String, String> merged = new TreeMap<>(values);
    merged.putAll(over.values);
    Map<String, String> origins = new LinkedHashMap<>(this.origins);
    origins.putAll(over.origins);
    return new Policy(merged, origins);
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key)).map(String::trim).filter(v -> !v.isEmpty());
  }

  public String key(String key) {
    return origins.getOrDefault(key, "vireo.gateway." + key);
  }

  public boolean has(String prefix) {
    for (String key : values.keySet()) {
      if (key.equals(prefix) || key.startsWith(prefix + ".")) {
        return true;
      }
    }
    return false;
  }

  /** The keys below {@code prefix} (relative to it). */
  public Map<String, String> subset(String prefix) {
    Map<String, String> result = new TreeMap<>();
    values.forEach(
        (key, value) -> {
          if (key.startsWith(prefix + ".")) {
            result.put(key.substring(prefix.length() + 1), value);
          }
        });
    return result;
  }

  public boolean bool(String key, boolean defaultValue) {
    return get(key).map(v -> Values.parseBoolean(key(key), v)).orElse(defaultValue);
  }

  public int integer(String key, int defaultValue) {
    return get(key).map(v -> Values.parseInt(key(key), v)).orElse(defaultValue);
  }

  public double decimal(String key, double defaultValue) {
    return get(key).map(v -> Values.parseDouble(key(key), v)).orElse(defaultValue);
  }

  public Optional<Duration> duration(String key) {
    return get(key).map(v -> Values.parseDuration(key(key), v));
  }

  /** A size: bytes, or with a {@code KB}, {@code MB} or {@code GB} suffix (powers of 1024). */
  public long size(String key, long defaultValue) {
    return get(key).map(v -> parseSize(key(key), v)).orElse(defaultValue);
  }

  static long parseSize(String key, String value) {
    String text = value.trim().toUpperCase(Locale.ROOT).replace("B", "");
    long unit = 1;
    if (text.endsWith("K")) {
      unit = 1024;
    } else if (text.endsWith("M")) {
      unit = 1024 * 1024;
    } else if (text.endsWith("G")) {
      unit = 1024L * 1024 * 1024;
    }
    String number = unit == 1 ? text : text.substring(0, text.length() - 1);
    try {
      long parsed = Long.parseLong(number.trim());
      if (parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + ": '" + value + "' (expected: a size such as 1048576, 512KB or 4MB)", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Policy other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
