package io.vireo.gateway.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A route's path predicate: literal segments, {@code *} (one segment), {@code {name}} (one
 * segment), and a trailing {@code **} (the rest, possibly nothing).
 */
public final class PathPattern {
  private final String text;
  private final Pattern regex;
  private final String literalPrefix;

  private PathPattern(String text, Pattern regex, String literalPrefix) {
    this.text = text;
    this.regex = regex;
    this.literalPrefix = literalPrefix;
  }

  public static PathPattern parse(String key, String text) {
    if (!text.startsWith("/")) {
      throw new IllegalArgumentException(
          key + ": '" + text + "' (expected: a path starting with '/', such as /api/orders/**)");
    }
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    boolean literalDone = false;
    String[] segments = text.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.equals("**")) {
        if (i != segments.length - 1) {
          throw new IllegalArgumentException(
              key + ": '" + text + "' ('**' only at the end, such as /api/**)");
        }
        regex.append("(?:/.*)?");
        literalDone = true;
        break;
      }
      regex.append('/');
      if (segment.equals("*")) {
        regex.append("[^/]+");
        literalDone = true;
      } else if (segment.startsWith("{") && segment.endsWith("}")) {
        String name = segment.substring(1, segment.length() - 1);
        if (!name.matches("[A-Za-z][A-Za-z0-9]*")) {
          throw new IllegalArgumentException(
              key + ": '" + text + "' (expected: a variable such as {id})");
        }
        regex.append("(?<").append(name).append(">[^/]+)");
        literalDone = true;
      } else {
        regex.append(Pattern.quote(segment));
        if (!literalDone) {
          literal.append('/').append(segment);
        }
      }
    }
    return new PathPattern(text, Pattern.compile(regex.toString()), literal.toString());
  }

  public boolean matches(String path) {
    return regex.matcher(path).matches();
  }

  public Matcher matcher(String path) {
    return regex.matcher(path);
  }

  /**
   * The literal segments before the first wildcard, such as {@code /api/orders} of {@code
   * /api/orders/**}.
   */
  public String literalPrefix() {
    return literalPrefix;
  }

  @Override
  public String toString() {
    return text;
  }
}
