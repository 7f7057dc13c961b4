package io.vireo;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Immutable call or event headers: lower-case names to string values, in insertion order.
 *
 * <p>Kept as a flat array because calls carry a handful of headers and are created on the hot path;
 * {@link #with} copies.
 */
public final class Headers {
  private static final Headers EMPTY = new Headers(new String[0]);

  /** The deadline of a call on the wire: milliseconds left, as a decimal integer. */
  public static final String TIMEOUT = "vireo-timeout";

  /** The name of the calling service. */
  public static final String CALLER = "vireo-caller";

  /** W3C trace context. */
  public static final String TRACEPARENT = "traceparent";

  /** A bearer token: {@code Bearer <token>}. */
  public static final String AUTHORIZATION = "authorization";

  private final String[] pairs;

  private Headers(String[] pairs) {
    this.pairs = pairs;
  }

  public static Headers empty() {
    return EMPTY;
  }

  /** Headers from a map; names are lower-cased. */
  public static Headers of(Map<String, String> map) {
    Headers headers = EMPTY;
    for (Map.Entry<String, String> entry : map.entrySet()) {
      headers = headers.with(entry.getKey(), entry.getValue());
    }
    return headers;
  }

  /** Headers from name, value, name, value... (a later value of a name replaces an earlier one). */
  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "namesAndValues: " + namesAndValues.length + " strings (expected: an even number)");
    }
    // one pass and one array: this runs for every published event
    String[] pairs = new String[namesAndValues.length];
    int size = 0;
    outer:
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = validName(namesAndValues[i]);
      String value = validValue(namesAndValues[i], namesAndValues[i + 1]);
      for (int j = 0; j < size; j += 2) {
        if (pairs[j].equals(name)) {
          pairs[j + 1] = value;
          continue outer;
        }
      }
      pairs[size++] = name;
      pairs[size++] = value;
    }
    return size == 0
        ? EMPTY
        : new Headers(size == pairs.length ? pairs : Arrays.copyOf(pairs, size));
  }

  public Optional<String> get(String name) {
    String lower = lowerCase(name);
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].equals(lower)) {
        return Optional.of(pairs[i + 1]);
      }
    }
    return Optional.empty();
  }

  /** A copy with this header set (replacing an earlier value of the same name). */
  public Headers with(String name, String value) {
    String lower = validName(name);
    validValue(name, value);
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].equals(lower)) {
        String[] copy = pairs.clone();
        copy[i + 1] = value;
        return new Headers(copy);
      }
    }
    String[] copy = Arrays.copyOf(pairs, pairs.length + 2);
    copy[pairs.length] = lower;
    copy[pairs.length + 1] = value;
    return new Headers(copy);
  }

  /** A copy without this header. */
  public Headers without(String name) {
    String lower = lowerCase(name);
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].equals(lower)) {
        String[] copy = new String[pairs.length - 2];
        System.arraycopy(pairs, 0, copy, 0, i);
        System.arraycopy(pairs, i + 2, copy, i, pairs.length - i - 2);
        return new Headers(copy);
      }
    }
    return this;
  }

  /** A copy with every header of {@code other} set on this. */
  public Headers withAll(Headers other) {
    Headers result = this;
    for (int i = 0; i < other.pairs.length; i += 2) {
      result = result.with(other.pairs[i], other.pairs[i + 1]);
    }
    return result;
  }

  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < pairs.length; i += 2) {
      action.accept(pairs[i], pairs[i + 1]);
    }
  }

  public int size() {
    return pairs.length / 2;
  }

  public boolean isEmpty() {
    return pairs.length == 0;
  }

  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    forEach(map::put);
    return Collections.unmodifiableMap(map);
  }

  private static String validValue(String name, String value) {
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      throw new IllegalArgumentException(
          "header " + name + ": value has a line break (expected: one line)");
    }
    return value;
  }

  /**
   * Names Vireo itself sets on every call or event (the constants here and in {@code Message}):
   * valid and lower-case already, recognised by identity (string constants are interned), so the
   * hot path does not check and lower-case them again.
   */
  private static final String[] OWN_NAMES = {
    TIMEOUT,
    CALLER,
    TRACEPARENT,
    AUTHORIZATION,
    "content-type",
    "vireo-message-id",
    "vireo-type",
    "vireo-published-at"
  };

  /** {@code name} in lower case; Vireo's own names as they are. */
  private static String lowerCase(String name) {
    for (String own : OWN_NAMES) {
      if (name == own) {
        return name;
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static String validName(String name) {
    for (String own : OWN_NAMES) {
      if (name == own) {
        return name;
      }
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "header name: empty (expected: a token such as x-request-id)");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c == ':' || c >= 127) {
        throw new IllegalArgumentException(
            "header name: '" + name + "' (expected: visible ASCII without ':' or spaces)");
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers other && Arrays.equals(pairs, other.pairs);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(pairs);
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
