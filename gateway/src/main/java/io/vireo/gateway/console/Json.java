package io.vireo.gateway.console;

import io.vireo.gateway.internal.HttpErrors;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** A small JSON writer for the console's replies (maps, lists, strings, numbers, booleans). */
final class Json {
  private Json() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Raw raw) {
      out.append(raw.json());
    } else if (value instanceof String text) {
      out.append(HttpErrors.quote(text));
    } else if (value instanceof Double number) {
      out.append(
          number.isNaN() || number.isInfinite()
              ? "null"
              : String.format(Locale.ROOT, "%.4f", number));
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        out.append(HttpErrors.quote(String.valueOf(entry.getKey()))).append(':');
        write(entry.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof Collection<?> list) {
      out.append('[');
      boolean first = true;
      for (Object item : list) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(item, out);
      }
      out.append(']');
    } else {
      out.append(HttpErrors.quote(value.toString()));
    }
  }

  /** Text that is already JSON. */
  record Raw(String json) {}
}
