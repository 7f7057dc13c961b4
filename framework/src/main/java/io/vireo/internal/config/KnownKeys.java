package io.vireo.internal.config;

import io.vireo.config.Values;
import io.vireo.config.spi.ConfigKeysProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code vireo.*} keys every module on the classpath knows ({@link ConfigKeysProvider}), and
 * the check a service runs at start: a core key whose value has the wrong form fails, naming the
 * key and the forms it takes; a key nobody knows is a warning naming the nearest known key.
 */
public final class KnownKeys {
  private static final Logger log = LoggerFactory.getLogger(KnownKeys.class);

  /** What a core key's value must be; checked at start rather than where it is first read. */
  enum Kind {
    TEXT,
    INT,
    PORT,
    DURATION,
    BOOLEAN,
    DOUBLE
  }

  /** The framework's own keys, and the kind of those with a form to check. */
  static final Map<String, Kind> CORE = core();

  private final List<String> exact;
  private final List<Pattern> patterns;
  private final List<String> patternTexts;

  private KnownKeys(Set<String> keys) {
    List<String> exact = new ArrayList<>();
    List<Pattern> patterns = new ArrayList<>();
    List<String> patternTexts = new ArrayList<>();
    for (String key : new TreeSet<>(keys)) {
      if (key.contains("*")) {
        patterns.add(compile(key));
        patternTexts.add(key);
      } else {
        exact.add(key);
      }
    }
    this.exact = List.copyOf(exact);
    this.patterns = List.copyOf(patterns);
    this.patternTexts = List.copyOf(patternTexts);
  }

  /** The core keys plus every {@link ConfigKeysProvider} on the classpath. */
  public static KnownKeys load() {
    Set<String> keys = new TreeSet<>(CORE.keySet());
    keys.addAll(CORE_PATTERNS);
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try {
      for (ConfigKeysProvider provider :
          ServiceLoader.load(
              ConfigKeysProvider.class,
              loader == null ? KnownKeys.class.getClassLoader() : loader)) {
        keys.addAll(provider.keys());
      }
    } catch (ServiceConfigurationError e) {
      log.warn("cannot load the known configuration keys of every module: {}", e.getMessage());
    }
    return new KnownKeys(keys);
  }

  static KnownKeys of(Set<String> keys) {
    return new KnownKeys(keys);
  }

  /** Whether some module knows {@code key} (a dotted key, or an environment variable's name). */
  public boolean known(String key) {
    if (isEnvironmentName(key)) {
      return exact.stream().anyMatch(k -> environmentName(k).equals(key))
          || patternTexts.stream().anyMatch(p -> compileEnvironment(p).matcher(key).matches());
    }
    return exact.contains(key) || patterns.stream().anyMatch(p -> p.matcher(key).matches());
  }

  /**
   * The known key closest to {@code key} in edit distance (a pattern by its fixed part), when it is
   * plausibly the key meant: at most a quarter of it differs, after the common {@code vireo.}.
   */
  public Optional<String> nearest(String key) {
    boolean environment = isEnvironmentName(key);
    String stripped = key.substring("vireo.".length());
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    int bestLength = 0;
    List<String> candidates = new ArrayList<>(exact);
    candidates.addAll(patternTexts);
    for (String candidate : candidates) {
      String compared =
          (environment ? environmentName(candidate) : candidate).substring("vireo.".length());
      int star = compared.indexOf('*');
      int distance =
          star >= 0
              ? patternDistance(stripped, compared.substring(0, star))
              : distance(stripped, compared);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = environment ? environmentName(candidate) : candidate;
        bestLength = star >= 0 ? star : compared.length();
      }
    }
    return best != null && bestDistance <= Math.max(1, bestLength / 4)
        ? Optional.of(best)
        : Optional.empty();
  }

  /**
   * What a service checks at start: the form of each core key present (fails naming the key), then
   * a warning per {@code vireo.*} key (or {@code VIREO_*} variable) no module knows.
   */
  public static void check(LayeredConfig config) {
    CORE.forEach((key, kind) -> config.get(key).ifPresent(value -> checkForm(key, kind, value)));
    KnownKeys known = load();
    Set<String> names = config.names();
    for (String name : names) {
      boolean ours = name.startsWith("vireo.") || name.startsWith("VIREO_");
      // the environment source lists each variable twice, as written and as a dotted key
      // (VIREO_SERVER_ADVERTISE_HOST and vireo.server.advertise.host): check the variable only
      boolean environmentTwin = !isEnvironmentName(name) && names.contains(environmentName(name));
      if (ours && !environmentTwin && !known.known(name)) {
        Optional<String> nearest = known.nearest(name);
        log.warn(
            "unknown configuration key {}{} (no module on the classpath reads it; it is ignored)",
            name,
            nearest.map(n -> ": did you mean " + n + "?").orElse(""));
      }
    }
  }

  static void checkForm(String key, Kind kind, String value) {
    switch (kind) {
      case INT -> Values.parseInt(key, value);
      case PORT -> port(key, value);
      case DURATION -> Values.parseDuration(key, value);
      case BOOLEAN -> Values.parseBoolean(key, value);
      case DOUBLE -> Values.parseDouble(key, value);
      case TEXT -> {}
    }
  }

  /** A port from configuration: 0 (any free port) to 65535, or a message naming the key. */
  public static int port(String key, String value) {
    int port;
    try {
      port = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw Values.invalid(key, value, "a port, 0 to 65535; 0 for any free port");
    }
    if (port < 0 || port > 65535) {
      throw Values.invalid(key, value, "a port, 0 to 65535; 0 for any free port");
    }
    return port;
  }

  private static boolean isEnvironmentName(String key) {
    return key.startsWith("VIREO_");
  }

  /** {@code vireo.client.timeout} as the environment writes it: {@code VIREO_CLIENT_TIMEOUT}. */
  static String environmentName(String key) {
    return key.replaceAll("[^A-Za-z0-9*]", "_").toUpperCase(Locale.ROOT);
  }

  private static Pattern compile(String pattern) {
    StringBuilder regex = new StringBuilder();
    String[] segments = pattern.split("\\.", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (i > 0) {
        regex.append("\\.");
      }
      if (segment.equals("**")) {
        regex.append(".+");
      } else if (segment.equals("*")) {
        regex.append("[^.]+");
      } else {
        regex.append(Pattern.quote(segment));
      }
    }
    return Pattern.compile(regex.toString());
  }

  private static Pattern compileEnvironment(String pattern) {
    StringBuilder regex = new StringBuilder();
    String[] segments = pattern.split("\\.", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        regex.append('_');
      }
      String segment = segments[i];
      regex.append(
          segment.equals("**") || segment.equals("*")
              ? "[A-Z0-9_]+"
              : Pattern.quote(environmentName(segment)));
    }
    return Pattern.compile(regex.toString());
  }

  /**
   * How far {@code key} is from a pattern's fixed part, compared with a prefix of {@code key} of
   * about its length.
   */
  private static int patternDistance(String key, String fixed) {
    int best = Integer.MAX_VALUE;
    for (int length = Math.max(0, fixed.length() - 2);
        length <= Math.min(key.length(), fixed.length() + 2);
        length++) {
      best = Math.min(best, distance(key.substring(0, length), fixed));
    }
    return best;
  }

  /** Levenshtein distance. */
  public static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static final List<String> CORE_PATTERNS =
      List.of(
          "vireo.client.services.**",
          "vireo.client.auth.services.**",
          "vireo.client.outlier.*",
          "vireo.client.tls.*",
          "vireo.server.endpoints.**",
          "vireo.server.metadata.**",
          "vireo.server.*.port",
          "vireo.server.auth.endpoints.**",
          "vireo.server.auth.static.**",
          "vireo.server.auth.jwt.*",
          "vireo.server.tls.*",
          "vireo.resilience.**",
          // the gateway's keys until the gateway module lists its own exact ones
          "vireo.gateway.**");

  private static Map<String, Kind> core() {
    Map<String, Kind> keys = new LinkedHashMap<>();
    keys.put("vireo.service.name", Kind.TEXT);
    keys.put("vireo.service.version", Kind.TEXT);
    keys.put("vireo.registry", Kind.TEXT);
    keys.put("vireo.registry.health-interval", Kind.DURATION);
    keys.put("vireo.transport", Kind.TEXT);
    keys.put("vireo.transport.connect-timeout", Kind.DURATION);
    keys.put("vireo.transport.max-message-size", Kind.INT);
    keys.put("vireo.broker", Kind.TEXT);
    keys.put("vireo.codec", Kind.TEXT);
    keys.put("vireo.selector", Kind.TEXT);
    keys.put("vireo.selector.weighted.warm-up", Kind.DURATION);
    keys.put("vireo.selector.consistent-hash.header", Kind.TEXT);
    keys.put("vireo.selector.consistent-hash.virtual-nodes", Kind.INT);
    keys.put("vireo.selector.least-loaded.decay-time", Kind.DURATION);
    keys.put("vireo.wrappers", Kind.TEXT);
    keys.put("vireo.config.sources", Kind.TEXT);
    keys.put("vireo.client.timeout", Kind.DURATION);
    keys.put("vireo.client.retries", Kind.INT);
    keys.put("vireo.client.auth.token", Kind.TEXT);
    keys.put("vireo.client.auth.token-file", Kind.TEXT);
    keys.put("vireo.client.auth.token-refresh", Kind.DURATION);
    keys.put("vireo.client.auth.header", Kind.TEXT);
    keys.put("vireo.client.auth.scheme", Kind.TEXT);
    keys.put("vireo.server.host", Kind.TEXT);
    keys.put("vireo.server.port", Kind.PORT);
    keys.put("vireo.server.advertise-host", Kind.TEXT);
    keys.put("vireo.server.weight", Kind.INT);
    keys.put("vireo.server.start-timeout", Kind.DURATION);
    keys.put("vireo.server.shutdown-timeout", Kind.DURATION);
    keys.put("vireo.server.idle-timeout", Kind.DURATION);
    keys.put("vireo.server.max-concurrent-streams", Kind.INT);
    keys.put("vireo.server.blocking-warn-threshold", Kind.DURATION);
    keys.put("vireo.server.error-details", Kind.BOOLEAN);
    keys.put("vireo.server.auth.header", Kind.TEXT);
    keys.put("vireo.server.auth.scheme", Kind.TEXT);
    keys.put("vireo.admin.host", Kind.TEXT);
    keys.put("vireo.admin.port", Kind.PORT);
    keys.put("vireo.enabled", Kind.BOOLEAN); // the Spring Boot starter's switch
    return keys;
  }
}
