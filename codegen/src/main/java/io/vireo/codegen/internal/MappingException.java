package io.vireo.codegen.internal;

/** A proto or an option the plugin cannot map; its message becomes protoc's error. */
final class MappingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  MappingException(String message) {
    super(message, null, false, false);
  }
}
