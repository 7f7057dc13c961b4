package io.vireo.codegen.internal;

import java.util.ArrayList;
import java.util.List;

/** Proto comments as Javadoc: HTML-escaped, no tags, no comment terminators, no unicode escapes. */
final class Javadoc {
  private Javadoc() {}

  /**
   * Paragraphs as comment lines (without the leading {@code " * "}); blank lines start a {@code
   * <p>}.
   */
  static List<String> lines(String comment) {
    List<String> out = new ArrayList<>();
    String[] raw = comment.replace("\r", "").split("\n", -1);
    int start = 0;
    int end = raw.length;
    while (start < end && raw[start].isBlank()) {
      start++;
    }
    while (end > start && raw[end - 1].isBlank()) {
      end--;
    }
    int indent = Integer.MAX_VALUE;
    for (int i = start; i < end; i++) {
      if (!raw[i].isBlank()) {
        indent = Math.min(indent, leadingSpaces(raw[i]));
      }
    }
    boolean paragraph = false;
    for (int i = start; i < end; i++) {
      String line = raw[i].isBlank() ? "" : escape(raw[i].substring(indent).stripTrailing());
      if (line.isEmpty()) {
        if (!paragraph) {
          out.add("");
          paragraph = true;
        }
        continue;
      }
      if (paragraph) {
        line = "<p>" + line;
        paragraph = false;
      }
      out.add(line);
    }
    return out;
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '@' -> out.append("&#64;");
        case '\\' -> out.append("&#92;");
        case '/' -> out.append(i > 0 && text.charAt(i - 1) == '*' ? "&#47;" : "/");
        case '\t' -> out.append("  ");
        default -> {
          if (c >= ' ') {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  private static int leadingSpaces(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }
}
