package io.vireo.internal.security;

import io.vireo.Headers;
import io.vireo.config.Config;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a token travels: a header ({@code vireo.server.auth.header}, {@code
 * vireo.client.auth.header}; default {@code authorization}) and a scheme before it ({@code
 * ...auth.scheme}; default {@code Bearer}; {@code none}: the header's value is the token).
 */
public final class AuthHeaders {
  static final String BEARER = "Bearer";
  static final String NONE = "none";

  private AuthHeaders() {}

  static String header(Config config, String side) {
    String key = "vireo." + side + ".auth.header";
    try {
      return name(config.get(key, Headers.AUTHORIZATION));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  static Optional<String> scheme(Config config, String side) {
    return scheme(
        "vireo." + side + ".auth.scheme", config.get("vireo." + side + ".auth.scheme", BEARER));
  }

  /** {@code none} or empty: no scheme; else one word. */
  public static Optional<String> scheme(String what, String value) {
    String scheme = value.strip();
    if (scheme.isEmpty() || scheme.equalsIgnoreCase(NONE)) {
      return Optional.empty();
    }
    if (scheme.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          what
              + ": '"
              + scheme
              + "' (expected: one word such as Bearer, or none for a bare token)");
    }
    return Optional.of(scheme);
  }

  /** A header name as headers hold it: lower case (gRPC metadata keys are), not blank. */
  static String name(String header) {
    String name = header.strip().toLowerCase(Locale.ROOT);
    if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':')) {
      throw new IllegalArgumentException(
          "'" + header + "' (expected: a header name such as authorization or token)");
    }
    return name;
  }

  /**
   * The token in {@code value}: after the scheme (case-insensitive) and a space, or the whole
   * value.
   */
  static Optional<String> token(String value, Optional<String> scheme) {
    if (scheme.isEmpty()) {
      String token = value.strip();
      return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
    String prefix = scheme.get() + " ";
    if (value.length() <= prefix.length()
        || !value.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return Optional.empty();
    }
    String token = value.substring(prefix.length()).strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
