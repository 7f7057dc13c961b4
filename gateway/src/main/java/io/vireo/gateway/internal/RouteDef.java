package io.vireo.gateway.internal;

import io.netty.handler.codec.http.HttpMethod;
import io.vireo.config.Values;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A route from {@code vireo.gateway.routes}: predicates (path, methods, headers), a target (an HTTP
 * upstream, a registry service over HTTP with {@code lb://}, or a Vireo service's RPC), path
 * rewriting and the route's filter settings.
 */
public record RouteDef(
    String id,
    PathPattern path,
    Set<HttpMethod> methods,
    Map<String, Pattern> headers,
    Target target,
    int stripPrefix,
    String prefixPath,
    Optional<Pattern> rewriteRegex,
    String rewriteReplacement,
    Policy policy) {

  /** Where a route goes. */
  public sealed interface Target permits Upstream, Rpc {}

  /**
   * An HTTP upstream: a fixed base URI, or ({@code lb://name}) the instances of a registry service.
   */
  public record Upstream(String scheme, Optional<URI> base, Optional<String> service)
      implements Target {}

  /**
   * A Vireo service's endpoint; without one, {@code /<Method>} or {@code /<pkg.Service>/<Method>}
   * after the route's path prefix.
   */
  public record Rpc(String service, Optional<String> endpoint) implements Target {}

  public boolean matches(Exchange exchange) {
    if (!methods.isEmpty() && !methods.contains(exchange.method())) {
      return false;
    }
    for (Map.Entry<String, Pattern> header : headers.entrySet()) {
      String value = exchange.headers().get(header.getKey());
      if (value == null || !header.getValue().matcher(value).matches()) {
        return false;
      }
    }
    return path.matches(exchange.path());
  }

  /** The path to send on: prefix segments stripped, then rewritten, then prefixed. */
  public String forwardPath(String requestPath) {
    String result = requestPath;
    for (int i = 0; i < stripPrefix; i++) {
      int next = result.indexOf('/', 1);
      result = next < 0 ? "/" : result.substring(next);
    }
    if (rewriteRegex.isPresent()) {
      result = rewriteRegex.get().matcher(result).replaceAll(rewriteReplacement);
    }
    if (!prefixPath.isEmpty()) {
      result = prefixPath + (result.equals("/") ? "" : result);
    }
    return result.isEmpty() ? "/" : result;
  }

  /** The routes in {@code vireo.gateway.routes} (a YAML list, or a map by id), in order. */
  public static List<RouteDef> parseAll(Map<String, String> gatewayKeys) {
    Map<String, Map<String, String>> byRoute = new LinkedHashMap<>();
    // YAML lists arrive as routes[0].path; a map arrives as routes.<id>.path
    Map<String, String> sorted = new TreeMap<>(RouteDef::compareKeys);
    sorted.putAll(gatewayKeys);
    sorted.forEach(
        (key, value) -> {
          String rest;
          String name;
          if (key.startsWith("routes[")) {
            int close = key.indexOf(']');
            if (close < 0 || close + 2 > key.length()) {
              return;
            }
            name = key.substring(0, close + 1);
            rest = key.substring(close + 2);
          } else if (key.startsWith("routes.")) {
            int dot = key.indexOf('.', "routes.".length());
            if (dot < 0) {
              return;
            }
            name = key.substring(0, dot);
            rest = key.substring(dot + 1);
          } else {
            return;
          }
          byRoute.computeIfAbsent(name, n -> new TreeMap<>()).put(rest, value);
        });
    List<RouteDef> routes = new ArrayList<>();
    byRoute.forEach((name, keys) -> routes.add(parse("vireo.gateway." + name + ".", name, keys)));
    return routes;
  }

  private static int compareKeys(String a, String b) {
    // routes[2] before routes[10]
    Matcher ma = INDEX.matcher(a);
    Matcher mb = INDEX.matcher(b);
    if (ma.lookingAt() && mb.lookingAt()) {
      int byIndex = Integer.compare(Integer.parseInt(ma.group(1)), Integer.parseInt(mb.group(1)));
      if (byIndex != 0) {
        return byIndex;
      }
    }
    return a.compareTo(b);
  }

  private static final Pattern INDEX = Pattern.compile("routes\\[(\\d+)]");

  static RouteDef parse(String prefix, String name, Map<String, String> keys) {
    String id =
        keys.getOrDefault(
            "id", name.startsWith("routes.") ? name.substring("routes.".length()) : name);
    String pathText = keys.get("path");
    if (pathText == null || pathText.isBlank()) {
      throw new IllegalArgumentException(
          prefix + "path: missing (expected: a path such as /api/orders/**)");
    }
    PathPattern path = PathPattern.parse(prefix + "path", pathText.trim());
    Set<HttpMethod> methods = new LinkedHashSet<>();
    for (String method : list(keys, "methods")) {
      methods.add(HttpMethod.valueOf(method.trim().toUpperCase(Locale.ROOT)));
    }
    Map<String, Pattern> headers = new LinkedHashMap<>();
    keys.forEach(
        (key, value) -> {
          if (key.startsWith("headers.")) {
            try {
              headers.put(
                  key.substring("headers.".length()).toLowerCase(Locale.ROOT),
                  Pattern.compile(value));
            } catch (PatternSyntaxException e) {
              throw new IllegalArgumentException(
                  prefix + key + ": '" + value + "' (expected: a regular expression)", e);
            }
          }
        });
    Target target = target(prefix, keys);
    int strip =
        keys.containsKey("strip-prefix")
            ? Values.parseInt(prefix + "strip-prefix", keys.get("strip-prefix"))
            : 0;
    if (strip < 0) {
      throw new IllegalArgumentException(prefix + "strip-prefix: " + strip + " (expected: >= 0)");
    }
    String prefixPath = keys.getOrDefault("prefix-path", "").trim();
    if (prefixPath.endsWith("/")) {
      prefixPath = prefixPath.substring(0, prefixPath.length() - 1);
    }
    Optional<Pattern> rewrite = Optional.empty();
    if (keys.containsKey("rewrite-path.regex")) {
      try {
        rewrite = Optional.of(Pattern.compile(keys.get("rewrite-path.regex")));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            prefix + "rewrite-path.regex: " + e.getMessage() + " (expected: a regular expression)",
            e);
      }
    }
    String replacement = keys.getOrDefault("rewrite-path.replacement", "").trim();
    return new RouteDef(
        id,
        path,
        Set.copyOf(methods),
        Map.copyOf(headers),
        target,
        strip,
        prefixPath,
        rewrite,
        replacement,
        Policy.of(prefix, keys));
  }

  private static Target target(String prefix, Map<String, String> keys) {
    String uri = keys.getOrDefault("uri", "").trim();
    String service = keys.getOrDefault("service", "").trim();
    if (!uri.isEmpty() && !service.isEmpty()) {
      throw new IllegalArgumentException(
          prefix
              + "uri and "
              + prefix
              + "service: both set (expected: uri for HTTP, service for RPC)");
    }
    if (!service.isEmpty()) {
      return new Rpc(
          service,
          Optional.ofNullable(keys.get("endpoint")).map(String::trim).filter(e -> !e.isEmpty()));
    }
    if (uri.isEmpty()) {
      throw new IllegalArgumentException(
          prefix
              + "uri: missing (expected: http://host:port, lb://<service>, or service: <name> for RPC)");
    }
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          prefix + "uri: '" + uri + "' (expected: http://host:port or lb://<service>)", e);
    }
    String scheme = Optional.ofNullable(parsed.getScheme()).orElse("").toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "http", "https" -> {
        if (parsed.getHost() == null) {
          throw new IllegalArgumentException(
              prefix + "uri: '" + uri + "' has no host (expected: http://host:port)");
        }
        yield new Upstream(scheme, Optional.of(parsed), Optional.empty());
      }
      case "lb" -> {
        String name =
            parsed.getHost() != null
                ? parsed.getHost()
                : parsed.getSchemeSpecificPart().replace("//", "");
        if (name.isEmpty()) {
          throw new IllegalArgumentException(
              prefix + "uri: '" + uri + "' (expected: lb://<service name in the registry>)");
        }
        yield new Upstream("http", Optional.empty(), Optional.of(name));
      }
      default ->
          throw new IllegalArgumentException(
              prefix + "uri: '" + uri + "' (expected: an http://, https:// or lb:// URI)");
    };
  }

  private static List<String> list(Map<String, String> keys, String name) {
    List<String> values = new ArrayList<>();
    keys.forEach(
        (key, value) -> {
          if (key.equals(name)) {
            for (String part : value.split(",")) {
              if (!part.isBlank()) {
                values.add(part.trim());
              }
            }
          } else if (key.startsWith(name + "[")) {
            values.add(value.trim());
          }
        });
    return values.stream().distinct().toList();
  }
}
