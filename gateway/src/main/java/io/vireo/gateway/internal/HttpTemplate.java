package io.vireo.gateway.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code google.api.http} path template: literals, {@code *} (one segment), {@code **} (any
 * number), variables {@code {field.path}} (one segment) and {@code {field.path=shelves/*}} (the
 * segments given), and a trailing {@code :verb}.
 */
public final class HttpTemplate {
  private final String text;
  private final Pattern regex;
  private final List<String> fields;
  private final int literals;

  private HttpTemplate(String text, Pattern regex, List<String> fields, int literals) {
    this.text = text;
    this.regex = regex;
    this.fields = fields;
    this.literals = literals;
  }

  public static HttpTemplate parse(String text) {
    if (!text.startsWith("/")) {
      throw new IllegalArgumentException(
          "google.api.http path '" + text + "' (expected: a template starting with '/')");
    }
    String path = text;
    String verb = "";
    int lastSlash = path.lastIndexOf('/');
    int colon = path.indexOf(':', lastSlash);
    if (colon > 0 && path.indexOf('}', colon) < 0) {
      verb = path.substring(colon);
      path = path.substring(0, colon);
    }
    StringBuilder regex = new StringBuilder();
    List<String> fields = new ArrayList<>();
    int literals = 0;
    int i = 1;
    while (i <= path.length()) {
      int end = i;
      if (i < path.length() && path.charAt(i) == '{') {
        end = path.indexOf('}', i);
        if (end < 0) {
          throw new IllegalArgumentException(
              "google.api.http path '" + text + "' (expected: '}' closing a variable)");
        }
        String variable = path.substring(i + 1, end);
        int eq = variable.indexOf('=');
        String field = eq < 0 ? variable : variable.substring(0, eq);
        String segments = eq < 0 ? "*" : variable.substring(eq + 1);
        fields.add(field);
        regex
            .append("/(?<v")
            .append(fields.size())
            .append('>')
            .append(segmentsRegex(segments))
            .append(')');
        end++;
      } else {
        end = path.indexOf('/', i);
        if (end < 0) {
          end = path.length();
        }
        String segment = path.substring(i, end);
        if (segment.isEmpty() && end == path.length() && i == path.length()) {
          break;
        }
        regex.append('/').append(segmentsRegex(segment));
        if (!segment.equals("*") && !segment.equals("**")) {
          literals++;
        }
      }
      i = end + 1;
    }
    regex.append(Pattern.quote(verb));
    return new HttpTemplate(text, Pattern.compile(regex.toString()), List.copyOf(fields), literals);
  }

  private static String segmentsRegex(String segments) {
    StringBuilder out = new StringBuilder();
    String[] parts = segments.split("/");
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(
          switch (parts[i]) {
            case "*" -> "[^/]+";
            case "**" -> ".*";
            default -> Pattern.quote(parts[i]);
          });
    }
    return out.toString();
  }

  /** The variables' values by field path, when {@code path} matches. */
  public Optional<List<String[]>> match(String path) {
    Matcher matcher = regex.matcher(path);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    List<String[]> values = new ArrayList<>(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      values.add(
          new String[] {
            fields.get(i),
            URLDecoder.decode(
                matcher.group("v" + (i + 1)).replace("+", "%2B"), StandardCharsets.UTF_8)
          });
    }
    return Optional.of(values);
  }

  /** The field paths bound by the template. */
  public List<String> fields() {
    return fields;
  }

  /**
   * How specific the template is (literal segments), so that {@code /v1/books/special} wins over
   * {@code /v1/books/{id}}.
   */
  public int literals() {
    return literals;
  }

  @Override
  public String toString() {
    return text;
  }
}
