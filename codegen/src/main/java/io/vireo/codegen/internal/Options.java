package io.vireo.codegen.internal;

import java.util.Locale;

/** The parameter string ({@code --vireo_opt=suffix=Handler,client=false}), parsed. */
record Options(String suffix, boolean routes, boolean client) {
  static final String EXPECTED =
      "suffix=<Java identifier part, appended to the interface name>, routes=true|false, client=true|false";

  /**
   * Parses the comma-separated {@code key=value} list; throws {@link MappingException} on anything
   * unknown.
   */
  static Options parse(String parameter) {
    String suffix = "";
    boolean routes = true;
    boolean client = true;
    for (String entry : parameter.split(",", -1)) {
      String item = entry.trim();
      if (item.isEmpty()) {
        continue;
      }
      int eq = item.indexOf('=');
      String key = eq < 0 ? item : item.substring(0, eq).trim();
      String value = eq < 0 ? "" : item.substring(eq + 1).trim();
      switch (key) {
        case "suffix" -> {
          if (!value.isEmpty() && !isIdentifierPart(value)) {
            throw new MappingException(
                "option suffix='"
                    + value
                    + "' (expected: letters, digits or _ to append to the interface name, such as suffix=Handler)");
          }
          suffix = value;
        }
        case "routes" -> routes = bool(key, value);
        case "client" -> client = bool(key, value);
        default ->
            throw new MappingException(
                "unknown option '"
                    + item
                    + "' in the parameter string '"
                    + parameter
                    + "' (expected: "
                    + EXPECTED
                    + ")");
      }
    }
    return new Options(suffix, routes, client);
  }

  private static boolean bool(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "" -> true;
      case "false" -> false;
      default ->
          throw new MappingException(
              "option "
                  + key
                  + "='"
                  + value
                  + "' (expected: "
                  + key
                  + "=true or "
                  + key
                  + "=false)");
    };
  }

  private static boolean isIdentifierPart(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (!Character.isJavaIdentifierPart(value.charAt(i)) || value.charAt(i) == '$') {
        return false;
      }
    }
    return true;
  }
}
