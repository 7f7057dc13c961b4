package io.vireo.internal.security;

import io.vireo.config.Config;
import io.vireo.security.Auth;
import io.vireo.security.JwtVerifier;
import io.vireo.security.Principal;
import io.vireo.security.TokenVerifier;
import io.vireo.security.Tokens;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.Wrapper;
import io.vireo.wrapper.spi.WrapperProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/** Reads the {@code vireo.server.auth.*} and {@code vireo.client.auth.*} keys. */
public final class AuthConfig {
  public static final String NAME = "auth";

  /** {@code vireo.client.auth.token-refresh}: how long a token file's contents are kept. */
  public static final Duration DEFAULT_TOKEN_REFRESH = Duration.ofMinutes(1);

  private AuthConfig() {}

  public static Wrapper wrapper(Config config) {
    Optional<Wrapper> server = server(config);
    Optional<Wrapper> client = client(config);
    if (server.isEmpty() && client.isEmpty()) {
      throw new IllegalArgumentException(
          "auth: nothing configured (expected: vireo.server.auth.jwt.*, "
              + "vireo.server.auth.static.<subject>.token, or vireo.client.auth.token / token-file)");
    }
    if (client.isEmpty()) {
      return server.get();
    }
    if (server.isEmpty()) {
      return client.get();
    }
    Wrapper serverSide = server.get();
    Wrapper clientSide = client.get();
    return new Wrapper() {
      @Override
      public CallFunction server(CallFunction next) {
        return serverSide.server(next);
      }

      @Override
      public CallFunction client(CallFunction next) {
        return clientSide.client(next);
      }
    };
  }

  static Optional<Wrapper> server(Config config) {
    Optional<TokenVerifier> verifier = staticTokens(config);
    Optional<TokenVerifier> jwt = jwt(config);
    if (jwt.isPresent()) {
      verifier = Optional.of(verifier.map(v -> v.or(jwt.get())).orElse(jwt.get()));
    }
    if (verifier.isEmpty()) {
      return Optional.empty();
    }
    Auth.ServerBuilder builder =
        Auth.server(verifier.get())
            .header(AuthHeaders.header(config, "server"))
            .scheme(AuthHeaders.scheme(config, "server").orElse(AuthHeaders.NONE));
    for (Map.Entry<String, Map<String, String>> entry :
        grouped(config.subset("vireo.server.auth.endpoints")).entrySet()) {
      for (Map.Entry<String, String> setting : entry.getValue().entrySet()) {
        String[] values = list(setting.getValue());
        switch (setting.getKey()) {
          case "roles" -> builder.requireRoles(entry.getKey(), values);
          case "scopes" -> builder.requireScopes(entry.getKey(), values);
          default ->
              throw new IllegalArgumentException(
                  "vireo.server.auth.endpoints."
                      + entry.getKey()
                      + "."
                      + setting.getKey()
                      + ": unknown key (expected: roles or scopes)");
        }
      }
    }
    return Optional.of(builder.build());
  }

  private static Optional<TokenVerifier> staticTokens(Config config) {
    Map<String, Principal> tokens = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, String>> entry :
        grouped(config.subset("vireo.server.auth.static")).entrySet()) {
      String subject = entry.getKey();
      Map<String, String> settings = entry.getValue();
      String token = settings.get("token");
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException(
            "vireo.server.auth.static."
                + subject
                + ".token: missing (expected: the token of "
                + subject
                + ")");
      }
      tokens.put(
          token,
          new Principal(
              subject,
              Set.of(list(settings.getOrDefault("roles", ""))),
              Set.of(list(settings.getOrDefault("scopes", ""))),
              Map.of()));
    }
    return tokens.isEmpty() ? Optional.empty() : Optional.of(TokenVerifier.tokens(tokens));
  }

  private static Optional<TokenVerifier> jwt(Config config) {
    String prefix = "vireo.server.auth.jwt.";
    Map<String, String> jwt = config.subset("vireo.server.auth.jwt");
    if (jwt.isEmpty()) {
      return Optional.empty();
    }
    JwtVerifier.Builder builder = JwtVerifier.builder();
    config.get(prefix + "issuer").ifPresent(builder::issuer);
    config.get(prefix + "audience").ifPresent(builder::audience);
    builder.clockSkew(config.getDuration(prefix + "clock-skew", JwtVerifier.DEFAULT_CLOCK_SKEW));
    builder.jwksRefresh(
        config.getDuration(prefix + "jwks-refresh", JwtVerifier.DEFAULT_JWKS_REFRESH));
    builder.jwksMinRefetch(
        config.getDuration(prefix + "jwks-min-refetch", JwtVerifier.MIN_JWKS_REFETCH));
    builder.requireExpiry(config.getBoolean(prefix + "require-expiry", true));
    config.get(prefix + "roles-claim").ifPresent(builder::rolesClaim);
    config.get(prefix + "public-key").ifPresent(builder::publicKeyPem);
    config
        .get(prefix + "public-key-file")
        .ifPresent(file -> builder.publicKeyPem(read(prefix + "public-key-file", file)));
    config.get(prefix + "secret").ifPresent(builder::secret);
    config.get(prefix + "jwks").ifPresent(builder::jwks);
    config.get(prefix + "jwks-file").ifPresent(file -> builder.jwksFile(Path.of(file)));
    config.get(prefix + "jwks-url").ifPresent(url -> builder.jwksUrl(URI.create(url)));
    try {
      return Optional.of(builder.build());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "vireo.server.auth.jwt: "
              + e.getMessage()
              + " (keys: public-key, public-key-file, secret, jwks, jwks-file, jwks-url)",
          e);
    }
  }

  static Optional<Wrapper> client(Config config) {
    Optional<Supplier<Mono<String>>> tokens = tokens(config, "vireo.client.auth");
    Map<String, Supplier<Mono<String>>> perService = new LinkedHashMap<>();
    for (String service : grouped(config.subset("vireo.client.auth.services")).keySet()) {
      tokens(config, "vireo.client.auth.services." + service)
          .ifPresent(supplier -> perService.put(service, supplier));
    }
    if (tokens.isEmpty() && perService.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new BearerClientWrapper(
            tokens,
            perService,
            AuthHeaders.header(config, "client"),
            AuthHeaders.scheme(config, "client")));
  }

  private static Optional<Supplier<Mono<String>>> tokens(Config config, String prefix) {
    Optional<String> token = config.get(prefix + ".token");
    if (token.isPresent()) {
      return Optional.of(Tokens.of(token.get()));
    }
    Duration refresh = config.getDuration("vireo.client.auth.token-refresh", DEFAULT_TOKEN_REFRESH);
    return config.get(prefix + ".token-file").map(file -> Tokens.file(Path.of(file), refresh));
  }

  /** {@code a.b.c.roles=x} as {@code a.b.c -> {roles=x}}: the setting is after the last dot. */
  private static Map<String, Map<String, String>> grouped(Map<String, String> subset) {
    Map<String, Map<String, String>> grouped = new TreeMap<>();
    subset.forEach(
        (key, value) -> {
          int dot = key.lastIndexOf('.');
          if (dot > 0) {
            grouped
                .computeIfAbsent(key.substring(0, dot), k -> new TreeMap<>())
                .put(key.substring(dot + 1), value);
          }
        });
    return grouped;
  }

  private static String[] list(String value) {
    return Arrays.stream(value.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new))
        .toArray(String[]::new);
  }

  private static String read(String key, String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": cannot read " + file + " (" + e + ")", e);
    }
  }

  /** {@code auth}. */
  public static final class Provider implements WrapperProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Wrapper create(Config config) {
      return wrapper(config);
    }
  }
}
