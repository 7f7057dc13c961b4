package io.vireo.gateway.console;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import io.vireo.reflection.ServiceSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A service's endpoints as the console shows them: kind, message types, fields and an example
 * request.
 */
final class Schemas {
  /** How deep nested messages are described and filled in (recursive types stop here). */
  static final int MAX_DEPTH = 4;

  private Schemas() {}

  static List<Map<String, Object>> endpoints(ServiceSchema schema) {
    List<Map<String, Object>> endpoints = new ArrayList<>();
    for (MethodDescriptor method : schema.methods()) {
      Map<String, Object> endpoint = new LinkedHashMap<>();
      endpoint.put("service", method.getService().getFullName());
      endpoint.put("method", method.getName());
      endpoint.put("metric", ServiceSchema.route(method).fullName());
      endpoint.put("kind", ServiceSchema.kind(method).name());
      endpoint.put("requestType", method.getInputType().getFullName());
      endpoint.put("responseType", method.getOutputType().getFullName());
      endpoint.put("request", fields(method.getInputType(), 0));
      endpoint.put("response", fields(method.getOutputType(), 0));
      endpoint.put("example", example(method.getInputType(), 0));
      endpoints.add(endpoint);
    }
    return endpoints;
  }

  /** Every message type of the schema's files, by full name. */
  static List<String> messages(ServiceSchema schema) {
    List<String> names = new ArrayList<>();
    for (var proto : schema.services()) {
      for (Descriptor message : proto.getFile().getMessageTypes()) {
        add(message, names);
      }
      for (var dependency : proto.getFile().getDependencies()) {
        dependency.getMessageTypes().forEach(message -> add(message, names));
      }
    }
    return names;
  }

  private static void add(Descriptor message, List<String> names) {
    if (!message.getOptions().getMapEntry() && !names.contains(message.getFullName())) {
      names.add(message.getFullName());
    }
    message.getNestedTypes().forEach(nested -> add(nested, names));
  }

  static Map<String, Object> messageSchema(Descriptor message) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("type", message.getFullName());
    result.put("fields", fields(message, 0));
    result.put("example", example(message, 0));
    return result;
  }

  private static List<Map<String, Object>> fields(Descriptor message, int depth) {
    List<Map<String, Object>> fields = new ArrayList<>();
    for (FieldDescriptor field : message.getFields()) {
      Map<String, Object> described = new LinkedHashMap<>();
      described.put("name", field.getJsonName());
      described.put("type", typeName(field));
      described.put(
          "label", field.isMapField() ? "map" : field.isRepeated() ? "repeated" : "optional");
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !field.isMapField()
          && depth < MAX_DEPTH
          && !isWellKnown(field.getMessageType())) {
        described.put("fields", fields(field.getMessageType(), depth + 1));
      }
      fields.add(described);
    }
    return fields;
  }

  private static String typeName(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case MESSAGE -> field.getMessageType().getFullName();
      case ENUM -> field.getEnumType().getFullName();
      default -> field.getType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static boolean isWellKnown(Descriptor message) {
    return message.getFullName().startsWith("google.protobuf.");
  }

  /** A JSON request with every field at a typical value, as a starting point to edit. */
  static Json.Raw example(Descriptor message, int depth) {
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    for (FieldDescriptor field : message.getFields()) {
      if (field.getRealContainingOneof() != null
          && field.getRealContainingOneof().getField(0) != field) {
        continue;
      }
      String value = field.isMapField() ? "{}" : scalar(field, depth);
      if (value == null) {
        continue;
      }
      if (field.isRepeated() && !field.isMapField()) {
        value = "[" + value + "]";
      }
      out.append(first ? "" : ",")
          .append(Json.write(field.getJsonName()))
          .append(':')
          .append(value);
      first = false;
    }
    return new Json.Raw(out.append('}').toString());
  }

  private static String scalar(FieldDescriptor field, int depth) {
    return switch (field.getJavaType()) {
      case STRING -> "\"\"";
      case BOOLEAN -> "false";
      case INT, FLOAT, DOUBLE -> "0";
      case LONG -> "\"0\"";
      case BYTE_STRING -> "\"\"";
      case ENUM -> Json.write(field.getEnumType().getValues().get(0).getName());
      case MESSAGE ->
          wellKnown(field.getMessageType())
              .orElseGet(
                  () ->
                      depth >= MAX_DEPTH
                          ? null
                          : example(field.getMessageType(), depth + 1).json());
    };
  }

  private static Optional<String> wellKnown(Descriptor message) {
    return Optional.ofNullable(
        switch (message.getFullName()) {
          case "google.protobuf.Timestamp" -> "\"1970-01-01T00:00:00Z\"";
          case "google.protobuf.Duration" -> "\"1s\"";
          case "google.protobuf.Struct", "google.protobuf.Any", "google.protobuf.Empty" -> "{}";
          case "google.protobuf.Value" -> "null";
          case "google.protobuf.StringValue", "google.protobuf.BytesValue" -> "\"\"";
          case "google.protobuf.BoolValue" -> "false";
          case "google.protobuf.ListValue" -> "[]";
          default ->
              message.getFullName().startsWith("google.protobuf.")
                      && message.getFullName().endsWith("Value")
                  ? "0"
                  : null;
        });
  }
}
