package io.vireo.registry.etcd;

import io.vireo.config.Config;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** How to reach etcd: shared by the registry and the config source. */
record ClientSettings(
    List<URI> endpoints,
    Duration connectionTimeout,
    Optional<String> user,
    Optional<String> password,
    Optional<Path> tlsCaFile,
    Optional<Path> tlsCertFile,
    Optional<Path> tlsKeyFile) {

  static final String DEFAULT_ENDPOINTS = "http://127.0.0.1:2379";
  static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  ClientSettings {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(
          "endpoints: none (expected: comma-separated URLs such as " + DEFAULT_ENDPOINTS + ")");
    }
    if (connectionTimeout.isZero() || connectionTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "connectionTimeout: " + connectionTimeout + " (expected: > 0)");
    }
    if (user.isPresent() != password.isPresent()) {
      throw new IllegalArgumentException(
          "user and password: only one is set (expected: both, or neither)");
    }
    if (tlsCertFile.isPresent() != tlsKeyFile.isPresent()) {
      throw new IllegalArgumentException(
          "tls.cert-file and tls.key-file: only one is set (expected: both, for a client certificate, or neither)");
    }
    for (Optional<Path> file : List.of(tlsCaFile, tlsCertFile, tlsKeyFile)) {
      file.ifPresent(
          path -> {
            if (!Files.isReadable(path)) {
              throw new IllegalArgumentException(
                  "tls file: " + path + " (expected: a readable PEM file)");
            }
          });
    }
  }

  static ClientSettings defaults() {
    return new ClientSettings(
        parseEndpoints(DEFAULT_ENDPOINTS),
        DEFAULT_CONNECTION_TIMEOUT,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /**
   * Reads {@code <prefix>.endpoints}, {@code .connection-timeout}, ... falling back to {@code
   * fallback}.
   */
  static ClientSettings from(Config config, String prefix, ClientSettings fallback) {
    return new ClientSettings(
        config
            .get(prefix + ".endpoints")
            .map(ClientSettings::parseEndpoints)
            .orElse(fallback.endpoints()),
        config.getDuration(prefix + ".connection-timeout", fallback.connectionTimeout()),
        config.get(prefix + ".user").or(fallback::user),
        config.get(prefix + ".password").or(fallback::password),
        config.get(prefix + ".tls.ca-file").map(Path::of).or(fallback::tlsCaFile),
        config.get(prefix + ".tls.cert-file").map(Path::of).or(fallback::tlsCertFile),
        config.get(prefix + ".tls.key-file").map(Path::of).or(fallback::tlsKeyFile));
  }

  /**
   * {@code http://host:port[,https://host:port...]}: each an http or https URL with a host and a
   * port.
   */
  static List<URI> parseEndpoints(String text) {
    List<URI> result = new ArrayList<>();
    for (String part : text.split(",")) {
      String trimmed = part.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      URI uri;
      try {
        uri = URI.create(trimmed);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "endpoints: '" + trimmed + "' (expected: http://host:port or https://host:port)", e);
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getPort() < 0) {
        throw new IllegalArgumentException(
            "endpoints: '" + trimmed + "' (expected: http://host:port or https://host:port)");
      }
      result.add(uri);
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException(
          "endpoints: '"
              + text
              + "' (expected: comma-separated URLs such as "
              + DEFAULT_ENDPOINTS
              + ")");
    }
    return List.copyOf(result);
  }

  /** Whether any endpoint is {@code https}: then the connection uses TLS. */
  boolean tls() {
    return endpoints.stream().anyMatch(uri -> "https".equals(uri.getScheme()));
  }

  /** The endpoints as given, comma-separated, for messages. */
  String endpointText() {
    return endpoints.stream().map(URI::toString).collect(Collectors.joining(","));
  }

  ClientSettings withEndpoints(List<URI> endpoints) {
    return new ClientSettings(
        endpoints, connectionTimeout, user, password, tlsCaFile, tlsCertFile, tlsKeyFile);
  }

  ClientSettings withConnectionTimeout(Duration connectionTimeout) {
    return new ClientSettings(
        endpoints, connectionTimeout, user, password, tlsCaFile, tlsCertFile, tlsKeyFile);
  }

  ClientSettings withAuth(String user, String password) {
    if (user.isEmpty() || password.isEmpty()) {
      throw new IllegalArgumentException(
          "user and password: empty (expected: an etcd user and its password)");
    }
    return new ClientSettings(
        endpoints,
        connectionTimeout,
        Optional.of(user),
        Optional.of(password),
        tlsCaFile,
        tlsCertFile,
        tlsKeyFile);
  }

  ClientSettings withTrust(Path caFile) {
    return new ClientSettings(
        endpoints, connectionTimeout, user, password, Optional.of(caFile), tlsCertFile, tlsKeyFile);
  }

  ClientSettings withClientCertificate(Path certFile, Path keyFile) {
    return new ClientSettings(
        endpoints,
        connectionTimeout,
        user,
        password,
        tlsCaFile,
        Optional.of(certFile),
        Optional.of(keyFile));
  }

  @Override
  public String toString() {
    // never print the password
    return "ClientSettings[endpoints="
        + endpointText()
        + ", connectionTimeout="
        + connectionTimeout
        + ", user="
        + user.orElse("none")
        + ", tls="
        + tls()
        + "]";
  }
}
