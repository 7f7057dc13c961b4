package io.vireo.gateway.internal;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the direct JSON ↔ protobuf-wire transcoders ({@link JsonToWire}, {@link WireToJson}) know of
 * one message type: its fields in number order with their JSON keys. Only plain proto3 messages get
 * one: no maps, groups, well-known types (Timestamp, Struct, Any, wrappers... all in {@code
 * google.protobuf}) anywhere they reach; for the rest {@link Transcoder} uses {@code JsonFormat}.
 */
final class JsonPlan {
  /**
   * Input the direct transcoders leave to {@code JsonFormat}: anything unusual (nulls, duplicate
   * keys, numbers as strings, fields out of order on the wire...) and every error, so that its
   * result or its error message stays the answer. Thrown without a stack trace.
   */
  static final class Unhandled extends RuntimeException {
    static final Unhandled INSTANCE = new Unhandled();

    private Unhandled() {
      super("left to JsonFormat", null, false, false);
    }
  }

  /** Field numbers up to this are found by index, larger ones in a map. */
  private static final int DIRECT_NUMBERS = 256;

  /** One field: its descriptor, the wire type of one value, its {@code "jsonName":} bytes. */
  static final class Field {
    final FieldDescriptor descriptor;
    final FieldDescriptor.Type type;
    final int number;
    final int wireType;
    final int tag;
    final boolean repeated;
    final boolean presence;
    final int oneof;
    final int index;
    final byte[] key;
    JsonPlan message;

    Field(FieldDescriptor descriptor, int oneof, int index) {
      this.index = index;
      this.descriptor = descriptor;
      this.type = descriptor.getType();
      this.number = descriptor.getNumber();
      this.wireType = descriptor.getLiteType().getWireType();
      this.tag = number << 3 | wireType;
      this.repeated = descriptor.isRepeated();
      this.presence = descriptor.hasPresence();
      this.oneof = oneof;
      this.key = ("\"" + descriptor.getJsonName() + "\":").getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a length-delimited record of this field may be a packed run of its values. */
    boolean packable() {
      return repeated && wireType != WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    EnumValueDescriptor enumValue(int number) {
      return descriptor.getEnumType().findValueByNumber(number);
    }
  }

  final Descriptor descriptor;
  final Field[] fields;
  final int oneofs;
  private final Map<String, Field> byName = new HashMap<>();
  private final Field[] byNumber;
  private final Map<Integer, Field> byLargeNumber = new HashMap<>();

  private JsonPlan(Descriptor descriptor) {
    this.descriptor = descriptor;
    List<FieldDescriptor> sorted = new ArrayList<>(descriptor.getFields());
    sorted.sort(Comparator.comparingInt(FieldDescriptor::getNumber));
    this.fields = new Field[sorted.size()];
    this.oneofs = descriptor.getOneofs().size();
    this.byNumber = new Field[DIRECT_NUMBERS];
    for (int i = 0; i < fields.length; i++) {
      FieldDescriptor field = sorted.get(i);
      int oneof = field.getContainingOneof() == null ? -1 : field.getContainingOneof().getIndex();
      fields[i] = new Field(field, oneof, i);
      // JsonFormat's parser takes both the JSON name and the proto name
      byName.put(field.getJsonName(), fields[i]);
      byName.put(field.getName(), fields[i]);
      if (field.getNumber() < DIRECT_NUMBERS) {
        byNumber[field.getNumber()] = fields[i];
      } else {
        byLargeNumber.put(field.getNumber(), fields[i]);
      }
    }
  }

  Field field(String jsonKey) {
    return byName.get(jsonKey);
  }

  Field field(int number) {
    return number >= 0 && number < DIRECT_NUMBERS ? byNumber[number] : byLargeNumber.get(number);
  }

  /** The plans of {@code type} and every message type it reaches, or null when one is not plain. */
  static JsonPlan of(Descriptor type) {
    Map<Descriptor, JsonPlan> plans = new HashMap<>();
    if (!plain(type, new HashSet<>())) {
      return null;
    }
    return build(type, plans);
  }

  private static JsonPlan build(Descriptor type, Map<Descriptor, JsonPlan> plans) {
    JsonPlan known = plans.get(type);
    if (known != null) {
      return known;
    }
    JsonPlan plan = new JsonPlan(type);
    plans.put(type, plan);
    for (Field field : plan.fields) {
      if (field.type == FieldDescriptor.Type.MESSAGE) {
        field.message = build(field.descriptor.getMessageType(), plans);
      }
    }
    return plan;
  }

  private static boolean plain(Descriptor type, Set<Descriptor> seen) {
    if (!seen.add(type)) {
      return true;
    }
    if (type.getFullName().startsWith("google.protobuf.")
        || type.getOptions().getMapEntry()
        || !"proto3".equals(type.getFile().toProto().getSyntax())
        || type.isExtendable()
        // the transcoders keep the fields and oneofs seen in one long each
        || type.getFields().size() > 64
        || type.getOneofs().size() > 64) {
      return false;
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.isMapField() || field.getType() == FieldDescriptor.Type.GROUP) {
        return false;
      }
      if (field.getType() == FieldDescriptor.Type.ENUM && !plain(field.getEnumType())) {
        return false;
      }
      if (field.getType() == FieldDescriptor.Type.MESSAGE && !plain(field.getMessageType(), seen)) {
        return false;
      }
    }
    return true;
  }

  private static boolean plain(EnumDescriptor type) {
    return !type.getFullName().startsWith("google.protobuf.") && !type.isClosed();
  }
}
