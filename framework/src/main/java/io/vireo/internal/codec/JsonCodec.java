package io.vireo.internal.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.codec.Codec;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * JSON: plain Java objects and records through Jackson, protobuf messages through
 * protobuf-java-util's {@code JsonFormat} (so both sides agree with other JSON-protobuf stacks).
 */
public final class JsonCodec implements Codec {
  public static final String NAME = "json";
  public static final String CONTENT_TYPE = "application/json";

  private static final ClassValue<Method> BUILDERS =
      new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
          try {
            return type.getMethod("newBuilder");
          } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(type.getName() + ": no static newBuilder()", e);
          }
        }
      };

  private final ObjectMapper mapper;
  private final JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
  private final JsonFormat.Parser parser = JsonFormat.parser().ignoringUnknownFields();

  public JsonCodec() {
    this(
        JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build());
  }

  public JsonCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  @Override
  public boolean supports(Class<?> type) {
    return true;
  }

  @Override
  public byte[] encode(Object value) {
    try {
      if (value instanceof Message message) {
        return printer.print(message).getBytes(StandardCharsets.UTF_8);
      }
      return mapper.writeValueAsBytes(value);
    } catch (JacksonException | InvalidProtocolBufferException e) {
      throw new VireoException(
          Status.INTERNAL,
          "cannot encode " + value.getClass().getName() + " as JSON: " + e.getMessage());
    }
  }

  @Override
  public <T> T decode(byte[] data, Class<T> type) {
    try {
      if (Message.class.isAssignableFrom(type)) {
        Message.Builder builder = (Message.Builder) BUILDERS.get(type).invoke(null);
        parser.merge(new String(data, StandardCharsets.UTF_8), builder);
        return type.cast(builder.build());
      }
      return mapper.readValue(data, type);
    } catch (IOException e) {
      throw new VireoException(
          Status.INVALID_ARGUMENT,
          "cannot decode "
              + type.getName()
              + " from "
              + data.length
              + " bytes of JSON: "
              + firstLine(e.getMessage()));
    } catch (ReflectiveOperationException e) {
      throw new VireoException(Status.INTERNAL, "cannot build " + type.getName() + ": " + e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
