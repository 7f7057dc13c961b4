package io.vireo.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.gateway.test.Book;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct transcoders ({@link JsonToWire}, {@link WireToJson}) against JsonFormat on random
 * messages of every proto3 field kind: the same JSON out, the same message in, JsonFormat's errors.
 */
class DirectTranscodingTest {
  private static final FieldDescriptorProto.Type[] SCALARS = {
    FieldDescriptorProto.Type.TYPE_INT32, FieldDescriptorProto.Type.TYPE_SINT32,
    FieldDescriptorProto.Type.TYPE_SFIXED32, FieldDescriptorProto.Type.TYPE_UINT32,
    FieldDescriptorProto.Type.TYPE_FIXED32, FieldDescriptorProto.Type.TYPE_INT64,
    FieldDescriptorProto.Type.TYPE_SINT64, FieldDescriptorProto.Type.TYPE_SFIXED64,
    FieldDescriptorProto.Type.TYPE_UINT64, FieldDescriptorProto.Type.TYPE_FIXED64,
    FieldDescriptorProto.Type.TYPE_BOOL, FieldDescriptorProto.Type.TYPE_FLOAT,
    FieldDescriptorProto.Type.TYPE_DOUBLE, FieldDescriptorProto.Type.TYPE_STRING,
    FieldDescriptorProto.Type.TYPE_BYTES
  };

  private static final Descriptor ALL = allKinds();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace().alwaysPrintFieldsWithNoPresence();
  private final Transcoder transcoder =
      new Transcoder(JsonFormat.TypeRegistry.getEmptyTypeRegistry());

  /** Every scalar kind singular, optional and repeated; an enum; a oneof; itself nested. */
  private static Descriptor allKinds() {
    DescriptorProto.Builder message = DescriptorProto.newBuilder().setName("All");
    int number = 1;
    for (FieldDescriptorProto.Type type : SCALARS) {
      String name = type.name().substring(5).toLowerCase() + "_value";
      message.addField(field(name, number++, type, FieldDescriptorProto.Label.LABEL_OPTIONAL));
      message.addField(
          field("many_" + name, number++, type, FieldDescriptorProto.Label.LABEL_REPEATED));
    }
    message.addOneofDecl(OneofDescriptorProto.newBuilder().setName("choice"));
    message.addField(
        field(
                "choice_text",
                number++,
                FieldDescriptorProto.Type.TYPE_STRING,
                FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setOneofIndex(0));
    message.addField(
        field(
                "choice_number",
                number++,
                FieldDescriptorProto.Type.TYPE_INT64,
                FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setOneofIndex(0));
    message.addOneofDecl(OneofDescriptorProto.newBuilder().setName("_maybe"));
    message.addField(
        field(
                "maybe",
                number++,
                FieldDescriptorProto.Type.TYPE_INT32,
                FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setOneofIndex(1)
            .setProto3Optional(true));
    message.addField(
        field(
                "color",
                200,
                FieldDescriptorProto.Type.TYPE_ENUM,
                FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setTypeName(".t.Color"));
    message.addField(
        field(
                "colors",
                number++,
                FieldDescriptorProto.Type.TYPE_ENUM,
                FieldDescriptorProto.Label.LABEL_REPEATED)
            .setTypeName(".t.Color"));
    message.addField(
        field(
                "child",
                number++,
                FieldDescriptorProto.Type.TYPE_MESSAGE,
                FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setTypeName(".t.All"));
    message.addField(
        field(
                "children",
                1000,
                FieldDescriptorProto.Type.TYPE_MESSAGE,
                FieldDescriptorProto.Label.LABEL_REPEATED)
            .setTypeName(".t.All"));
    EnumDescriptorProto color =
        EnumDescriptorProto.newBuilder()
            .setName("Color")
            .addValue(EnumValueDescriptorProto.newBuilder().setName("NONE").setNumber(0))
            .addValue(EnumValueDescriptorProto.newBuilder().setName("RED").setNumber(1))
            .addValue(EnumValueDescriptorProto.newBuilder().setName("BLUE").setNumber(-2))
            .build();
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName("t.proto")
            .setPackage("t")
            .setSyntax("proto3")
            .addMessageType(message)
            .addEnumType(color)
            .build();
    try {
      return FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("All");
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static FieldDescriptorProto.Builder field(
      String name, int number, FieldDescriptorProto.Type type, FieldDescriptorProto.Label label) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setType(type)
        .setLabel(label);
  }

  private static DynamicMessage random(Descriptor type, Random random, int depth) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    for (FieldDescriptor field : type.getFields()) {
      if (random.nextInt(3) == 0) {
        continue;
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (depth < 2) {
          if (field.isRepeated()) {
            for (int i = random.nextInt(3); i > 0; i--) {
              builder.addRepeatedField(field, random(type, random, depth + 1));
            }
          } else {
            builder.setField(field, random(type, random, depth + 1));
          }
        }
      } else if (field.isRepeated()) {
        for (int i = random.nextInt(4); i > 0; i--) {
          builder.addRepeatedField(field, value(field, random));
        }
      } else {
        builder.setField(field, value(field, random));
      }
    }
    return builder.build();
  }

  private static Object value(FieldDescriptor field, Random random) {
    boolean zero = random.nextInt(5) == 0;
    return switch (field.getJavaType()) {
      case INT -> zero ? 0 : random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(300) - 100;
      case LONG ->
          zero ? 0L : random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(300) - 100L;
      case BOOLEAN -> random.nextBoolean();
      case FLOAT ->
          switch (random.nextInt(6)) {
            case 0 -> 0f;
            case 1 -> Float.NaN;
            case 2 -> Float.NEGATIVE_INFINITY;
            case 3 -> -0f;
            default -> (random.nextFloat() - 0.5f) * (float) Math.pow(10, random.nextInt(40) - 20);
          };
      case DOUBLE ->
          switch (random.nextInt(6)) {
            case 0 -> 0d;
            case 1 -> Double.NaN;
            case 2 -> Double.POSITIVE_INFINITY;
            case 3 -> 1e300;
            default -> (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(60) - 30);
          };
      case STRING -> zero ? "" : text(random);
      case BYTE_STRING -> {
        byte[] bytes = new byte[zero ? 0 : random.nextInt(7)];
        random.nextBytes(bytes);
        yield ByteString.copyFrom(bytes);
      }
      case ENUM -> field.getEnumType().getValues().get(random.nextInt(3));
      case MESSAGE -> throw new IllegalStateException();
    };
  }

  private static String text(Random random) {
    String[] parts = {
      "a", "Z", "<", ">", "&", "=", "'", "\"", "\\", "/", "\n", "\t", "\u0001", "\u001f", "\u007f",
      "é", "中", "\u2028", "\u2029", "😀", " "
    };
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(6) + 1; i > 0; i--) {
      text.append(parts[random.nextInt(parts.length)]);
    }
    return text.toString();
  }

  @Test
  void printsAndParsesAsJsonFormatOnRandomMessages() throws Exception {
    JsonPlan plan = JsonPlan.of(ALL);
    assertThat(plan).isNotNull();
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      DynamicMessage message = random(ALL, random, 0);
      byte[] wire = message.toByteArray();
      String expected = PRINTER.print(message);
      // the canonical bytes: the direct printer, never JsonFormat
      assertThat(new String(WireToJson.print(plan, wire), StandardCharsets.UTF_8))
          .isEqualTo(expected);
      byte[] parsed = JsonToWire.parse(plan, expected.getBytes(StandardCharsets.UTF_8));
      assertThat(DynamicMessage.parseFrom(ALL, parsed)).isEqualTo(message);
      String protoNames =
          JsonFormat.printer().preservingProtoFieldNames().print(message); // with whitespace
      assertThat(
              DynamicMessage.parseFrom(
                  ALL, transcoder.parseToBytes(ALL, protoNames.getBytes(StandardCharsets.UTF_8))))
          .isEqualTo(message);
    }
  }

  @Test
  void bytesOutOfTheCanonicalOrderAreReadAsDynamicMessageReadsThem() throws Exception {
    DynamicMessage first =
        DynamicMessage.newBuilder(ALL)
            .setField(ALL.findFieldByName("int32_value"), 5)
            .setField(ALL.findFieldByName("string_value"), "x")
            .build();
    DynamicMessage second =
        DynamicMessage.newBuilder(ALL).setField(ALL.findFieldByName("int32_value"), 7).build();
    // concatenated: int32 twice, the last wins, and string before it
    byte[] wire = first.toBuilder().mergeFrom(second.toByteArray()).build().toByteArray();
    byte[] twice = concat(first.toByteArray(), second.toByteArray());
    assertThatThrownBy(() -> WireToJson.print(JsonPlan.of(ALL), twice))
        .isInstanceOf(JsonPlan.Unhandled.class);
    assertThat(transcoder.print(ALL, twice))
        .isEqualTo(
            PRINTER.print(DynamicMessage.parseFrom(ALL, wire)).getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void unusualJsonGetsJsonFormatsAnswer() throws Exception {
    for (String json :
        List.of(
            "{\"int64Value\":null,\"int32Value\":\"7\"}",
            "{\"int32Value\":1.0}",
            "{\"int32Value\":1e1}",
            "{\"uint64Value\":\"18446744073709551615\"}",
            "{\"floatValue\":\"NaN\",\"doubleValue\":\"-Infinity\"}",
            "{\"color\":1,\"colors\":[\"BLUE\",0]}",
            "{\"stringValue\":\"\\ud83d\\ude00 \\u00e9\"}",
            "{\"bytesValue\":\"-_-_\"}",
            "{\"boolValue\":\"true\"}",
            "{\"int32Value\":1,\"int32Value\":2}",
            "  {\"child\":{\"child\":{}}, \"children\":[{},{\"int32Value\":-3}]}  ")) {
      DynamicMessage.Builder expected = DynamicMessage.newBuilder(ALL);
      JsonFormat.parser().merge(json, expected);
      assertThat(
              DynamicMessage.parseFrom(
                  ALL, transcoder.parseToBytes(ALL, json.getBytes(StandardCharsets.UTF_8))))
          .as(json)
          .isEqualTo(expected.build());
    }
  }

  @Test
  void errorsAreJsonFormatsNamingTheField() {
    for (String json :
        List.of(
            "{\"int32Valu\":1}",
            "{\"choiceText\":\"a\",\"choiceNumber\":\"1\"}",
            "{\"int32Value\":4294967296}",
            "{\"color\":\"GREEN\"}",
            "{\"int32Value\":",
            "[1]",
            "{\"manyInt32Value\":[null]}")) {
      assertThatThrownBy(() -> transcoder.parseToBytes(ALL, json.getBytes(StandardCharsets.UTF_8)))
          .as(json)
          .isInstanceOfSatisfying(
              VireoException.class, e -> assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT));
    }
    assertThatThrownBy(
            () ->
                transcoder.parseToBytes(ALL, "{\"int32Valu\":1}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("int32Valu");
  }

  @Test
  void typesWithWellKnownTypesOrMapsAreLeftToJsonFormat() {
    assertThat(JsonPlan.of(Timestamp.getDescriptor())).isNull();
    assertThat(JsonPlan.of(Book.getDescriptor())).isNotNull();
  }
}
