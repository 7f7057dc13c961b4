package io.vireo.gateway.console;

import io.vireo.registry.ServiceInstance;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Calls/s, error rate and p99 per endpoint of one service, from its instances' Prometheus {@code
 * vireo_server_calls_seconds} timers: each sample is the difference to the previous one, kept on a
 * ring of {@link #capacity} points.
 */
final class Metrics {
  static final String COUNT = "vireo_server_calls_seconds_count";
  static final String BUCKET = "vireo_server_calls_seconds_bucket";
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final int capacity;
  private final Map<String, Deque<Point>> points = new LinkedHashMap<>();
  private Map<String, Totals> last = Map.of();
  private long lastMillis;

  /** One sample of an endpoint. */
  record Point(long time, double callsPerSecond, double errorRate, double p99Millis) {
    Map<String, Object> json() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("t", time);
      json.put("rate", callsPerSecond);
      json.put("errors", errorRate);
      json.put("p99", p99Millis);
      return json;
    }
  }

  /** What the scrapes of all instances add up to, for one endpoint. */
  static final class Totals {
    double calls;
    double errors;
    final TreeMap<Double, Double> buckets = new TreeMap<>();
  }

  Metrics(int capacity) {
    this.capacity = capacity;
  }

  /** Adds a sample: the scrapes (Prometheus text) of every instance, read at {@code millis}. */
  synchronized void add(long millis, List<String> scrapes) {
    Map<String, Totals> now = new LinkedHashMap<>();
    for (String scrape : scrapes) {
      parse(scrape, now);
    }
    if (lastMillis != 0 && millis > lastMillis) {
      double seconds = (millis - lastMillis) / 1000.0;
      for (Map.Entry<String, Totals> entry : now.entrySet()) {
        Totals before = last.get(entry.getKey());
        Totals after = entry.getValue();
        double calls = Math.max(0, after.calls - (before == null ? 0 : before.calls));
        double errors = Math.max(0, after.errors - (before == null ? 0 : before.errors));
        Deque<Point> ring = points.computeIfAbsent(entry.getKey(), k -> new ArrayDeque<>());
        ring.addLast(
            new Point(
                millis,
                calls / seconds,
                calls == 0 ? 0 : errors / calls,
                p99(before, after, calls)));
        while (ring.size() > capacity) {
          ring.removeFirst();
        }
      }
    }
    last = now;
    lastMillis = millis;
  }

  private static double p99(Totals before, Totals after, double calls) {
    if (calls == 0) {
      return 0;
    }
    double target = calls * 0.99;
    for (Map.Entry<Double, Double> bucket : after.buckets.entrySet()) {
      double earlier = before == null ? 0 : before.buckets.getOrDefault(bucket.getKey(), 0.0);
      if (bucket.getValue() - earlier >= target) {
        return bucket.getKey().isInfinite() ? Double.NaN : bucket.getKey() * 1000;
      }
    }
    return Double.NaN;
  }

  static void parse(String scrape, Map<String, Totals> into) {
    for (String line : scrape.split("\n")) {
      boolean count = line.startsWith(COUNT + "{");
      boolean bucket = line.startsWith(BUCKET + "{");
      if (!count && !bucket) {
        continue;
      }
      int close = line.lastIndexOf('}');
      if (close < 0) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      Matcher matcher = LABEL.matcher(line.substring(line.indexOf('{') + 1, close));
      while (matcher.find()) {
        labels.put(matcher.group(1), matcher.group(2));
      }
      String[] rest = line.substring(close + 1).trim().split(" ");
      double value;
      try {
        value = Double.parseDouble(rest[0]);
      } catch (NumberFormatException e) {
        continue;
      }
      Totals totals =
          into.computeIfAbsent(labels.getOrDefault("endpoint", "unknown"), k -> new Totals());
      if (count) {
        totals.calls += value;
        if (!"OK".equals(labels.get("status"))) {
          totals.errors += value;
        }
      } else {
        String le = labels.getOrDefault("le", "+Inf");
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        totals.buckets.merge(bound, value, Double::sum);
      }
    }
  }

  synchronized Map<String, Object> json() {
    Map<String, Object> json = new LinkedHashMap<>();
    points.forEach(
        (endpoint, ring) -> {
          List<Object> list = new ArrayList<>();
          ring.forEach(point -> list.add(point.json()));
          json.put(endpoint, list);
        });
    return json;
  }

  /** The admin port an instance advertises, if any. */
  static Optional<Integer> adminPort(ServiceInstance instance) {
    try {
      return Optional.ofNullable(instance.metadata().get(ServiceInstance.ADMIN_PORT_METADATA))
          .map(Integer::parseInt);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
