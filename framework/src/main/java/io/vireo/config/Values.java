package io.vireo.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Parses configuration values, with errors that name the key and what was expected. */
public final class Values {
  /** What {@link #parseDuration} accepts, for messages. */
  public static final String DURATION_FORMS =
      "a duration: a number and a unit, us, ms, s, m, h or d, such as 200ms, 5s"
          + " or 1m; or ISO-8601 such as PT5S; or a number of milliseconds";

  private Values() {}

  public static int parseInt(String key, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw invalid(key, value, "an integer");
    }
  }

  public static long parseLong(String key, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw invalid(key, value, "an integer");
    }
  }

  public static double parseDouble(String key, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw invalid(key, value, "a number");
    }
  }

  public static boolean parseBoolean(String key, String value) {
    switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "on":
        return true;
      case "false":
      case "no":
      case "off":
        return false;
      default:
        throw invalid(key, value, "true or false");
    }
  }

  /** {@code 250ms}, {@code 5s}, {@code 1m}, {@code 2h}, {@code 1d}, ISO-8601, or milliseconds. */
  public static Duration parseDuration(String key, String value) {
    String text = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (text.startsWith("p")) {
        return nonNegative(key, value, Duration.parse(text.toUpperCase(Locale.ROOT)));
      }
      int unitStart = 0;
      while (unitStart < text.length()
          && (Character.isDigit(text.charAt(unitStart)) || text.charAt(unitStart) == '.')) {
        unitStart++;
      }
      if (unitStart == 0) {
        throw invalid(key, value, DURATION_FORMS);
      }
      double amount = Double.parseDouble(text.substring(0, unitStart));
      String unit = text.substring(unitStart).trim();
      double millis;
      switch (unit) {
        case "":
        case "ms":
          millis = amount;
          break;
        case "us":
          millis = amount / 1000;
          break;
        case "s":
          millis = amount * 1000;
          break;
        case "m":
          millis = amount * 60_000;
          break;
        case "h":
          millis = amount * 3_600_000;
          break;
        case "d":
          millis = amount * 86_400_000;
          break;
        default:
          throw invalid(key, value, DURATION_FORMS);
      }
      return Duration.ofNanos((long) (millis * 1_000_000));
    } catch (NumberFormatException | DateTimeParseException e) {
      throw invalid(key, value, DURATION_FORMS);
    }
  }

  private static Duration nonNegative(String key, String value, Duration duration) {
    if (duration.isNegative()) {
      throw invalid(key, value, "a duration >= 0");
    }
    return duration;
  }

  /**
   * A duration as configuration writes it, in the largest unit that is exact: {@code 5s}, {@code
   * 250ms}, {@code 90s}, {@code 2h}, {@code 0s}; {@link #parseDuration} reads it back. Log lines
   * and messages print durations so, not as {@code PT5S}.
   */
  public static String format(Duration duration) {
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    long nanos = duration.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    if (nanos % 1_000_000 != 0) {
      return nanos % 1000 == 0 ? nanos / 1000 + "us" : nanos / 1e6 + "ms";
    }
    long millis = nanos / 1_000_000;
    long[] sizes = {86_400_000, 3_600_000, 60_000, 1000, 1};
    String[] units = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis % sizes[i] == 0) {
        return millis / sizes[i] + units[i];
      }
    }
    return millis + "ms";
  }

  /** An {@link IllegalArgumentException}: {@code key: 'value' (expected: what)}. */
  public static IllegalArgumentException invalid(String key, String value, String expected) {
    return new IllegalArgumentException(key + ": '" + value + "' (expected: " + expected + ")");
  }
}
