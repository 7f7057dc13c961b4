package io.vireo.gateway.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vireo.Status;
import io.vireo.VireoException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * JSON (the proto3 JSON mapping) to protobuf and back, on descriptors learned at run time.
 * Malformed JSON and unknown fields are INVALID_ARGUMENT naming the field.
 */
public final class Transcoder {
  private final JsonFormat.Parser parser;
  private final JsonFormat.Printer printer;
  // per message type: the plan of the direct transcoders, or none (JsonFormat does that type)
  private final Map<Descriptor, Optional<JsonPlan>> plans = new ConcurrentHashMap<>();

  public Transcoder(JsonFormat.TypeRegistry types) {
    this.parser = JsonFormat.parser().usingTypeRegistry(types);
    this.printer =
        JsonFormat.printer()
            .usingTypeRegistry(types)
            .omittingInsignificantWhitespace()
            .alwaysPrintFieldsWithNoPresence();
  }

  /**
   * The protobuf bytes of a message of {@code type} from a JSON body (empty body: the empty
   * message): straight from the JSON for plain messages, else (and for anything unusual, every
   * error included) by {@code JsonFormat}.
   */
  public byte[] parseToBytes(Descriptor type, byte[] json) {
    return parseToBytes(type, plan(type), json);
  }

  /** {@link #parseToBytes} for one type, its plan looked up once (a call's request type). */
  public Function<byte[], byte[]> parserOf(Descriptor type) {
    JsonPlan plan = plan(type);
    return json -> parseToBytes(type, plan, json);
  }

  /** {@link #print(Descriptor, byte[])} for one type, its plan looked up once (a call's reply). */
  public Function<byte[], byte[]> printerOf(Descriptor type) {
    JsonPlan plan = plan(type);
    return protobuf -> print(type, plan, protobuf);
  }

  private byte[] parseToBytes(Descriptor type, JsonPlan plan, byte[] json) {
    if (plan != null) {
      try {
        return JsonToWire.parse(plan, json);
      } catch (JsonPlan.Unhandled e) {
        // JsonFormat's answer, its result or its error, is the one
      }
    }
    return parse(type, json).toByteArray();
  }

  private JsonPlan plan(Descriptor type) {
    Optional<JsonPlan> plan = plans.get(type);
    if (plan == null) {
      plan = plans.computeIfAbsent(type, t -> Optional.ofNullable(JsonPlan.of(t)));
    }
    return plan.orElse(null);
  }

  /** A message of {@code type} from a JSON body (empty body: the empty message). */
  public DynamicMessage parse(Descriptor type, byte[] json) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    merge(builder, json);
    return builder.build();
  }

  /** Merges a JSON body into {@code builder}. */
  public void merge(Message.Builder builder, byte[] json) {
    String text = new String(json, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return;
    }
    try {
      parser.merge(text, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new VireoException(
          Status.INVALID_ARGUMENT,
          "bad JSON for " + builder.getDescriptorForType().getFullName() + ": " + e.getMessage(),
          e);
    }
  }

  /** The protobuf bytes of a message of {@code type}, as JSON. */
  public byte[] print(Descriptor type, byte[] protobuf) {
    return print(type, plan(type), protobuf);
  }

  private byte[] print(Descriptor type, JsonPlan plan, byte[] protobuf) {
    if (plan != null) {
      try {
        return WireToJson.print(plan, protobuf);
      } catch (JsonPlan.Unhandled e) {
        // not in the canonical shape, or malformed: DynamicMessage's reading decides
      }
    }
    try {
      return print(DynamicMessage.parseFrom(type, protobuf));
    } catch (InvalidProtocolBufferException e) {
      throw new VireoException(
          Status.INTERNAL, "reply is not a " + type.getFullName() + ": " + e.getMessage(), e);
    }
  }

  public byte[] print(Message message) {
    try {
      return printer.print(message).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new VireoException(
          Status.INTERNAL, "reply cannot be written as JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Sets the field at {@code path} (dotted, by proto or JSON name) from a path or query parameter's
   * text; a repeated field gets each value appended.
   */
  public static void setField(Message.Builder builder, String path, List<String> values) {
    String[] names = path.split("\\.");
    Message.Builder current = builder;
    for (int i = 0; i < names.length - 1; i++) {
      FieldDescriptor field = field(current.getDescriptorForType(), names[i], path);
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
        throw new VireoException(
            Status.INVALID_ARGUMENT,
            "parameter " + path + ": " + names[i] + " is not a message field");
      }
      current = current.getFieldBuilder(field);
    }
    FieldDescriptor field = field(current.getDescriptorForType(), names[names.length - 1], path);
    for (String value : values) {
      Object converted = convert(field, value, path);
      if (field.isRepeated()) {
        current.addRepeatedField(field, converted);
      } else {
        current.setField(field, converted);
      }
    }
  }

  private static FieldDescriptor field(Descriptor type, String name, String path) {
    FieldDescriptor field = type.findFieldByName(name);
    if (field == null) {
      for (FieldDescriptor candidate : type.getFields()) {
        if (candidate.getJsonName().equals(name)) {
          return candidate;
        }
      }
      throw new VireoException(
          Status.INVALID_ARGUMENT,
          "parameter " + path + ": " + type.getFullName() + " has no field " + name);
    }
    return field;
  }

  private static Object convert(FieldDescriptor field, String value, String path) {
    try {
      return switch (field.getJavaType()) {
        case INT -> Integer.parseInt(value);
        case LONG -> Long.parseLong(value);
        case FLOAT -> Float.parseFloat(value);
        case DOUBLE -> Double.parseDouble(value);
        case BOOLEAN ->
            switch (value) {
              case "true", "1" -> Boolean.TRUE;
              case "false", "0" -> Boolean.FALSE;
              default -> throw new IllegalArgumentException("expected true or false");
            };
        case STRING -> value;
        case BYTE_STRING ->
            ByteString.copyFrom(
                Base64.getUrlDecoder().decode(value.replace('+', '-').replace('/', '_')));
        case ENUM -> {
          EnumValueDescriptor byName = field.getEnumType().findValueByName(value);
          if (byName != null) {
            yield byName;
          }
          EnumValueDescriptor byNumber =
              field.getEnumType().findValueByNumber(Integer.parseInt(value));
          if (byNumber == null) {
            throw new IllegalArgumentException(
                "expected a value of " + field.getEnumType().getFullName());
          }
          yield byNumber;
        }
        case MESSAGE ->
            throw new IllegalArgumentException("a message field cannot be set from text");
      };
    } catch (IllegalArgumentException e) {
      throw new VireoException(
          Status.INVALID_ARGUMENT,
          "parameter "
              + path
              + ": '"
              + value
              + "' ("
              + (e instanceof NumberFormatException ? "expected: a number" : e.getMessage())
              + ")",
          e);
    }
  }
}
