package io.vireo.codegen.internal;

import java.util.List;

/**
 * A message's Java class: its package ("" for the unnamed one) and the simple names from the
 * top-level class inwards ({@code [GreeterProto, HelloRequest]} for a nested class).
 */
record JavaType(String packageName, List<String> names, boolean deprecated) {
  JavaType {
    names = List.copyOf(names);
  }

  String simpleName() {
    return names.get(names.size() - 1);
  }

  String topLevel() {
    return names.get(0);
  }

  /** The dotted names inside the package, such as {@code GreeterProto.HelloRequest}. */
  String nestedName() {
    return String.join(".", names);
  }

  String canonicalName() {
    return packageName.isEmpty() ? nestedName() : packageName + "." + nestedName();
  }
}
