package io.vireo.cli;

import com.google.protobuf.Descriptors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Message schemas as the command prints them: JSON for tools, proto text for people. */
final class Schemas {
  private Schemas() {}

  static Map<String, Object> message(Descriptors.Descriptor message) {
    List<Map<String, Object>> fields = new ArrayList<>();
    for (Descriptors.FieldDescriptor field : message.getFields()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", field.getName());
      entry.put("json", field.getJsonName());
      entry.put("number", field.getNumber());
      entry.put("type", type(field));
      if (field.isMapField()) {
        entry.put("label", "map");
      } else if (field.isRepeated()) {
        entry.put("label", "repeated");
      } else if (field.hasPresence()
          && field.getContainingOneof() == null
          && field.getJavaType() != Descriptors.FieldDescriptor.JavaType.MESSAGE) {
        entry.put("label", "optional");
      }
      if (field.getRealContainingOneof() != null) {
        entry.put("oneof", field.getRealContainingOneof().getName());
      }
      fields.add(entry);
    }
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("fields", fields);
    return schema;
  }

  static String type(Descriptors.FieldDescriptor field) {
    if (field.isMapField()) {
      Descriptors.Descriptor entry = field.getMessageType();
      return "map<"
          + type(entry.findFieldByNumber(1))
          + ", "
          + type(entry.findFieldByNumber(2))
          + ">";
    }
    switch (field.getType()) {
      case MESSAGE:
      case GROUP:
        return field.getMessageType().getFullName();
      case ENUM:
        return field.getEnumType().getFullName();
      default:
        return field.getType().name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code message X { string name = 1; }} */
  static String proto(Descriptors.Descriptor message) {
    StringBuilder text = new StringBuilder("message ").append(message.getFullName()).append(" {\n");
    for (Descriptors.FieldDescriptor field : message.getFields()) {
      text.append("  ");
      if (field.isRepeated() && !field.isMapField()) {
        text.append("repeated ");
      }
      text.append(type(field))
          .append(' ')
          .append(field.getName())
          .append(" = ")
          .append(field.getNumber())
          .append(";\n");
    }
    return text.append("}\n").toString();
  }
}
