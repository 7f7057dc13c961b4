package io.vireo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vireo.Status;
import io.vireo.VireoException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Request JSON from an argument, {@code -d JSON}, {@code -d @file} or {@code -d @-} / stdin, into
 * messages.
 */
final class Requests {
  private Requests() {}

  /** The text given by argument or {@code -d}, if any ({@code @-} reads all of {@code in}). */
  static Optional<String> text(@Nullable String argument, @Nullable String data, InputStream in) {
    if (argument != null && data != null) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT,
          "request: given both as an argument and with -d (expected: one of them)");
    }
    String given = argument != null ? argument : data;
    if (given == null) {
      return Optional.empty();
    }
    if (given.equals("@-")) {
      try {
        return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw VireoException.of(Status.INVALID_ARGUMENT, "cannot read stdin: %s", e.getMessage());
      }
    }
    if (given.startsWith("@")) {
      Path file = Path.of(given.substring(1));
      try {
        return Optional.of(Files.readString(file));
      } catch (NoSuchFileException e) {
        throw VireoException.of(Status.NOT_FOUND, "-d %s: no such file", given);
      } catch (IOException e) {
        throw VireoException.of(
            Status.INVALID_ARGUMENT, "-d %s: cannot read it: %s", given, e.getMessage());
      }
    }
    return Optional.of(given);
  }

  /**
   * One message of {@code type} from JSON (blank: the empty message); INVALID_ARGUMENT naming what
   * is wrong.
   */
  static DynamicMessage parse(
      String json, Descriptors.Descriptor type, JsonFormat.TypeRegistry types, String where) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    if (json.isBlank()) {
      return builder.build();
    }
    try {
      JsonFormat.parser().usingTypeRegistry(types).merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT,
          "%s is not a valid %s: %s%s",
          where,
          type.getFullName(),
          culprit(json, type, types).map(field -> "field '" + field + "': ").orElse(""),
          message(e));
    } catch (RuntimeException e) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT,
          "%s is not valid JSON for %s: %s",
          where,
          type.getFullName(),
          message(e));
    }
    return builder.build();
  }

  /**
   * The top-level field that makes {@code json} fail, found by parsing each field alone:
   * JsonFormat's own message names an unknown field, but not the field of a value of the wrong
   * type.
   */
  private static Optional<String> culprit(
      String json, Descriptors.Descriptor type, JsonFormat.TypeRegistry types) {
    JsonNode tree;
    try {
      tree = Output.JSON.readTree(json);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (tree == null || !tree.isObject()) {
      return Optional.empty();
    }
    Iterator<Map.Entry<String, JsonNode>> fields = tree.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      try {
        JsonFormat.parser()
            .usingTypeRegistry(types)
            .merge(
                Output.JSON.createObjectNode().set(field.getKey(), field.getValue()).toString(),
                DynamicMessage.newBuilder(type));
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        return Optional.of(field.getKey());
      }
    }
    return Optional.empty();
  }

  /** One message per non-blank line of {@code text}. */
  static Flux<byte[]> lines(
      String text, Descriptors.Descriptor type, JsonFormat.TypeRegistry types) {
    String[] lines = text.split("\\R");
    return Flux.range(0, lines.length)
        .filter(i -> !lines[i].isBlank())
        .map(i -> parse(lines[i], type, types, "line " + (i + 1)).toByteArray());
  }

  /**
   * One message per non-blank line of {@code in}, read as the call asks for them (an interactive
   * bidi stream works).
   */
  static Flux<byte[]> lines(
      InputStream in, Descriptors.Descriptor type, JsonFormat.TypeRegistry types) {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    int[] number = {0};
    return Flux.<String>generate(
            sink -> {
              try {
                String line = reader.readLine();
                if (line == null) {
                  sink.complete();
                } else {
                  sink.next(line);
                }
              } catch (IOException e) {
                sink.error(
                    VireoException.of(
                        Status.INVALID_ARGUMENT, "cannot read stdin: %s", e.getMessage()));
              }
            })
        .subscribeOn(Schedulers.boundedElastic())
        .map(
            line -> {
              number[0]++;
              return line;
            })
        .filter(line -> !line.isBlank())
        .map(line -> parse(line, type, types, "stdin line " + number[0]).toByteArray());
  }

  private static String message(Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
