package io.vireo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules of the house that the formatter does not check, over every module's {@code src/main/java}
 * and {@code src/test/java}: no inline fully qualified type names (an import instead, unless the
 * simple name is taken by another type in that file), and no import of {@code io.vireo.internal}
 * outside the framework module.
 */
class SourceRulesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern QUALIFIED =
      Pattern.compile(
          "(?<![\\w.$])((?:java|javax|jakarta|io|org|com|reactor|picocli)\\.(?:[a-z_][a-z0-9_]*\\.)*)([A-Z]\\w*)");
  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)\\.(\\w+);", Pattern.MULTILINE);
  private static final Pattern PACKAGE =
      Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern DECLARED =
      Pattern.compile("\\b(?:class|interface|enum|record)\\s+([A-Z]\\w*)");
  private static final Set<String> JAVA_LANG =
      Set.of(
          "Object",
          "String",
          "Thread",
          "Runtime",
          "System",
          "Override",
          "Exception",
          "Error",
          "Class",
          "Record",
          "Process",
          "Module",
          "Package",
          "Deprecated",
          "Iterable");

  @Test
  void noInlineFullyQualifiedTypeNames() {
    List<String> found = new ArrayList<>();
    for (Path file : sources()) {
      found.addAll(qualifiedNames(file));
    }
    assertThat(found).as("inline fully qualified names (import them)").isEmpty();
  }

  @Test
  void onlyTheFrameworkImportsItsInternals() {
    List<String> found = new ArrayList<>();
    for (Path file : sources()) {
      if (ROOT.relativize(file).startsWith("framework")) {
        continue;
      }
      Matcher imports = IMPORT.matcher(read(file));
      while (imports.find()) {
        if (imports.group(2).startsWith("io.vireo.internal")) {
          found.add(ROOT.relativize(file) + ": " + imports.group(2) + "." + imports.group(3));
        }
      }
    }
    assertThat(found).as("imports of io.vireo.internal outside the framework").isEmpty();
  }

  private static List<Path> sources() {
    try (Stream<Path> walk = Files.walk(ROOT)) {
      List<Path> files =
          walk.filter(p -> p.toString().endsWith(".java"))
              .filter(
                  p -> {
                    String relative = ROOT.relativize(p).toString().replace('\\', '/');
                    return (relative.contains("/src/main/java/")
                            || relative.contains("/src/test/java/"))
                        && !relative.contains("/target/")
                        && !relative.startsWith(".");
                  })
              .toList();
      assertThat(files).as("sources under " + ROOT).hasSizeGreaterThan(100);
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> qualifiedNames(Path file) {
    String source = read(file);
    String code = blankCommentsAndStrings(source);
    Matcher pkg = PACKAGE.matcher(source);
    String own = pkg.find() ? pkg.group(1) : "";
    Map<String, String> imported = new HashMap<>();
    Matcher imports = IMPORT.matcher(source);
    while (imports.find()) {
      if (imports.group(1) == null) {
        imported.put(imports.group(3), imports.group(2) + "." + imports.group(3));
      }
    }
    Set<String> declared = new HashSet<>();
    Matcher declarations = DECLARED.matcher(code);
    while (declarations.find()) {
      declared.add(declarations.group(1));
    }
    Set<String> siblings = new HashSet<>();
    try (Stream<Path> dir = Files.list(file.getParent())) {
      dir.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".java"))
          .forEach(n -> siblings.add(n.substring(0, n.length() - 5)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Set<String>> bySimpleName = new HashMap<>();
    List<String[]> hits = new ArrayList<>();
    int lineNumber = 0;
    for (String line : code.split("\n", -1)) {
      lineNumber++;
      if (line.stripLeading().startsWith("import ") || line.stripLeading().startsWith("package ")) {
        continue;
      }
      Matcher m = QUALIFIED.matcher(line);
      while (m.find()) {
        String packageName = m.group(1).substring(0, m.group(1).length() - 1);
        String simple = m.group(2);
        bySimpleName.computeIfAbsent(simple, k -> new HashSet<>()).add(packageName + "." + simple);
        hits.add(new String[] {Integer.toString(lineNumber), packageName, simple});
      }
    }
    List<String> found = new ArrayList<>();
    for (String[] hit : hits) {
      String packageName = hit[1];
      String simple = hit[2];
      String qualified = packageName + "." + simple;
      boolean clash =
          imported.containsKey(simple) && !imported.get(simple).equals(qualified)
              || declared.contains(simple)
              || siblings.contains(simple) && !packageName.equals(own)
              || JAVA_LANG.contains(simple) && !packageName.equals("java.lang")
              || bySimpleName.get(simple).size() > 1;
      if (!clash) {
        found.add(ROOT.relativize(file) + ":" + hit[0] + ": " + qualified);
      }
    }
    return found;
  }

  /** The source with comments and string and char literals blanked, lines and offsets kept. */
  static String blankCommentsAndStrings(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      int end;
      if (source.startsWith("//", i)) {
        end = source.indexOf('\n', i);
        end = end < 0 ? n : end;
      } else if (source.startsWith("/*", i)) {
        end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
      } else if (source.startsWith("\"\"\"", i)) {
        end = source.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end + 3;
      } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
        char quote = source.charAt(i);
        end = i + 1;
        while (end < n && source.charAt(end) != quote) {
          end += source.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 1);
      } else {
        out.append(source.charAt(i++));
        continue;
      }
      for (int j = i; j < end; j++) {
        out.append(source.charAt(j) == '\n' ? '\n' : ' ');
      }
      i = end;
    }
    return out.toString();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
