package io.vireo.codegen.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The imports of one generated file. A simple name is bound to one class for the whole file; a
 * class whose simple name is taken is written fully qualified, so that a message called {@code
 * Mono}, {@code String} or {@code Service} never changes what another name means.
 */
final class Imports {
  private static final Set<String> JAVA_LANG =
      Set.of("String", "Override", "Deprecated", "SuppressWarnings");

  private final String packageName;
  private final Map<String, String> bound = new HashMap<>();
  private final Set<String> imports = new TreeSet<>();

  /**
   * {@code packageClasses}: every top-level class known in the file's package, ours included (they
   * shadow {@code java.lang}); {@code own}: the classes generated in this package, which nothing
   * may shadow.
   */
  Imports(String packageName, Set<String> packageClasses, Set<String> own) {
    this.packageName = packageName;
    for (String name : own) {
      bound.put(name, qualify(packageName, name));
    }
    for (String name : JAVA_LANG) {
      if (!packageClasses.contains(name) && !own.contains(name)) {
        bound.put(name, "java.lang." + name);
      }
    }
  }

  /** A {@code java.lang} class we use ({@code String}, {@code Override}, ...). */
  String lang(String simpleName) {
    return ("java.lang." + simpleName).equals(bound.get(simpleName))
        ? simpleName
        : "java.lang." + simpleName;
  }

  /** A class from a named package, such as {@code reactor.core.publisher.Mono}. */
  String ref(String canonicalName) {
    int dot = canonicalName.lastIndexOf('.');
    return ref(
        new JavaType(
            canonicalName.substring(0, dot), List.of(canonicalName.substring(dot + 1)), false));
  }

  String ref(JavaType type) {
    String canonical = type.canonicalName();
    String simple = type.simpleName();
    String current = bound.get(simple);
    if (canonical.equals(current)) {
      return simple;
    }
    if (type.packageName().isEmpty()) {
      // the unnamed package cannot be imported from; the Generator allows this only from there
      return bound.containsKey(type.topLevel()) ? canonical : type.nestedName();
    }
    boolean topLevelHere = type.packageName().equals(packageName) && type.names().size() == 1;
    if (current == null) {
      bound.put(simple, canonical);
      if (!topLevelHere) {
        imports.add(canonical);
      }
      return simple;
    }
    return canonical;
  }

  /** The import lines, sorted; call after the body has been written. */
  String block() {
    StringBuilder out = new StringBuilder();
    for (String name : imports) {
      out.append("import ").append(name).append(";\n");
    }
    return out.toString();
  }

  private static String qualify(String packageName, String name) {
    return packageName.isEmpty() ? name : packageName + "." + name;
  }
}
