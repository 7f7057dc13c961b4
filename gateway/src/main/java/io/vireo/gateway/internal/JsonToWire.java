package io.vireo.gateway.internal;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import io.vireo.gateway.internal.JsonPlan.Field;
import io.vireo.gateway.internal.JsonPlan.Unhandled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * JSON text straight to protobuf wire bytes (fields in the order the JSON has them, defaults of
 * fields without presence left out, as a DynamicMessage would), without Gson's tree, a String of
 * the body or a DynamicMessage. It takes plain, strict JSON: anything else (null, a duplicate key,
 * a number given as a string, an unknown field, any syntax error...) is {@link Unhandled}, and the
 * caller asks {@code JsonFormat}, whose result or error message stays the answer.
 */
final class JsonToWire {
  /** JsonFormat's (Gson's) nesting limit is larger; deeper bodies are left to it. */
  private static final int MAX_DEPTH = 100;

  private final byte[] in;
  private int pos;
  private int depth;
  private final ByteSink out;

  private JsonToWire(byte[] in, ByteSink out) {
    this.in = in;
    this.out = out;
  }

  /** The wire bytes of a message of {@code plan}'s type from a JSON body (blank: empty). */
  static byte[] parse(JsonPlan plan, byte[] json) {
    ByteSink out = new ByteSink(json.length);
    JsonToWire parser = new JsonToWire(json, out);
    parser.whitespace();
    if (parser.pos == json.length) {
      return new byte[0];
    }
    parser.message(plan);
    parser.whitespace();
    if (parser.pos != json.length) {
      throw Unhandled.INSTANCE;
    }
    return out.toByteArray();
  }

  private void message(JsonPlan plan) {
    if (++depth > MAX_DEPTH) {
      throw Unhandled.INSTANCE;
    }
    expect('{');
    whitespace();
    if (peek() == '}') {
      pos++;
      depth--;
      return;
    }
    long seen = 0;
    long oneofs = 0;
    while (true) {
      whitespace();
      Field field = plan.field(key());
      if (field == null) {
        throw Unhandled.INSTANCE; // an unknown field: JsonFormat's error names it
      }
      int index = field.index;
      if ((seen & (1L << index)) != 0) {
        throw Unhandled.INSTANCE;
      }
      seen |= 1L << index;
      if (field.oneof >= 0) {
        if ((oneofs & (1L << field.oneof)) != 0) {
          throw Unhandled.INSTANCE;
        }
        oneofs |= 1L << field.oneof;
      }
      whitespace();
      expect(':');
      whitespace();
      if (field.repeated) {
        expect('[');
        whitespace();
        if (peek() == ']') {
          pos++;
        } else {
          while (true) {
            whitespace();
            value(field, true);
            whitespace();
            if (next() == ']') {
              break;
            }
            pos--;
            expect(',');
          }
        }
      } else {
        value(field, field.presence);
      }
      whitespace();
      int c = next();
      if (c == '}') {
        break;
      }
      if (c != ',') {
        throw Unhandled.INSTANCE;
      }
    }
    depth--;
  }

  /** One value of {@code field}, written with its tag unless it is a default left out. */
  private void value(Field field, boolean keepDefault) {
    int c = peek();
    if (c == 'n') {
      throw Unhandled.INSTANCE; // null: JsonFormat's rules
    }
    switch (field.type) {
      case INT32, SINT32, SFIXED32, UINT32, FIXED32, INT64, SINT64, SFIXED64, UINT64, FIXED64 ->
          integer(field, keepDefault);
      case BOOL -> {
        boolean value;
        if (literal("true")) {
          value = true;
        } else if (literal("false")) {
          value = false;
        } else {
          throw Unhandled.INSTANCE;
        }
        if (value || keepDefault) {
          out.varint(field.tag);
          out.varint(value ? 1 : 0);
        }
      }
      case FLOAT -> {
        double value = decimal();
        if (!Double.isInfinite(value) && Math.abs(value) > Float.MAX_VALUE) {
          throw Unhandled.INSTANCE;
        }
        int bits = Float.floatToRawIntBits((float) value);
        if (bits != 0 || keepDefault) {
          out.varint(field.tag);
          out.fixed32(bits);
        }
      }
      case DOUBLE -> {
        long bits = Double.doubleToRawLongBits(decimal());
        if (bits != 0 || keepDefault) {
          out.varint(field.tag);
          out.fixed64(bits);
        }
      }
      case ENUM -> {
        EnumValueDescriptor value;
        if (c == '"') {
          value = field.descriptor.getEnumType().findValueByName(string());
        } else {
          long number = integer();
          value =
              number == (int) number ? field.enumValue((int) number) : null; // else: JsonFormat's
        }
        if (value == null) {
          throw Unhandled.INSTANCE;
        }
        if (value.getNumber() != 0 || keepDefault) {
          out.varint(field.tag);
          out.varint(value.getNumber());
        }
      }
      case STRING -> {
        if (c != '"') {
          throw Unhandled.INSTANCE;
        }
        stringBytes(field, keepDefault);
      }
      case BYTES -> {
        if (c != '"') {
          throw Unhandled.INSTANCE;
        }
        byte[] bytes = base64();
        if (bytes.length > 0 || keepDefault) {
          out.varint(field.tag);
          out.varint(bytes.length);
          out.write(bytes);
        }
      }
      case MESSAGE -> {
        out.varint(field.tag);
        int start = out.size();
        message(field.message);
        out.prefixLength(start);
      }
      default -> throw Unhandled.INSTANCE;
    }
  }

  private void integer(Field field, boolean keepDefault) {
    boolean unsigned = field.type == Type.UINT64 || field.type == Type.FIXED64;
    long value = integer(unsigned);
    switch (field.type) {
      case INT32, SINT32, SFIXED32 -> {
        if (value != (int) value) {
          throw Unhandled.INSTANCE;
        }
      }
      case UINT32, FIXED32 -> {
        if (value < 0 || value > 0xFFFF_FFFFL) {
          throw Unhandled.INSTANCE;
        }
      }
      default -> {}
    }
    if (value == 0 && !keepDefault) {
      return;
    }
    out.varint(field.tag);
    switch (field.type) {
      case SINT32 -> out.varint((((int) value << 1) ^ ((int) value >> 31)) & 0xFFFF_FFFFL);
      case SINT64 -> out.varint((value << 1) ^ (value >> 63));
      case SFIXED32, FIXED32 -> out.fixed32((int) value);
      case SFIXED64, FIXED64 -> out.fixed64(value);
      case UINT32 -> out.varint(value & 0xFFFF_FFFFL);
      default -> out.varint(value); // int32 sign-extended to 64 bits, as protobuf writes it
    }
  }

  /** An integer, as a JSON number or a JSON string of one (int64 is usually sent as a string). */
  private long integer() {
    return integer(false);
  }

  /**
   * An integer; {@code unsigned}: from 0 to 2^64-1, the upper half as negative longs (uint64 and
   * fixed64).
   */
  private long integer(boolean unsigned) {
    boolean quoted = peek() == '"';
    if (quoted) {
      pos++;
    }
    int start = pos;
    boolean negative = peek() == '-';
    if (negative) {
      pos++;
    }
    int first = pos;
    int digits = digits();
    if (digits == 0 || digits > 1 && in[first] == '0') {
      throw Unhandled.INSTANCE;
    }
    long value;
    if (digits <= 18) {
      value = 0;
      for (int i = first; i < pos; i++) {
        value = value * 10 + (in[i] - '0');
      }
      value = negative ? -value : value;
    } else {
      String text = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
      try {
        value = unsigned ? Long.parseUnsignedLong(text) : Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw Unhandled.INSTANCE; // out of range: JsonFormat's error
      }
    }
    if (unsigned && negative && value != 0) {
      throw Unhandled.INSTANCE;
    }
    if (quoted) {
      expect('"');
    } else if (pos < in.length && (in[pos] == '.' || in[pos] == 'e' || in[pos] == 'E')) {
      throw Unhandled.INSTANCE; // 1.0 or 1e3: JsonFormat's rules
    }
    return value;
  }

  /** A JSON number, or "NaN", "Infinity", "-Infinity" (quoted numbers are JsonFormat's). */
  private double decimal() {
    if (peek() == '"') {
      if (literal("\"NaN\"")) {
        return Double.NaN;
      }
      if (literal("\"Infinity\"")) {
        return Double.POSITIVE_INFINITY;
      }
      if (literal("\"-Infinity\"")) {
        return Double.NEGATIVE_INFINITY;
      }
      throw Unhandled.INSTANCE;
    }
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    int digits = digits();
    if (digits == 0 || digits > 1 && in[pos - digits] == '0') {
      throw Unhandled.INSTANCE;
    }
    if (pos < in.length && in[pos] == '.') {
      pos++;
      if (digits() == 0) {
        throw Unhandled.INSTANCE;
      }
    }
    if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      if (digits() == 0) {
        throw Unhandled.INSTANCE;
      }
    }
    double value =
        Double.parseDouble(new String(in, start, pos - start, StandardCharsets.ISO_8859_1));
    if (Double.isInfinite(value)) {
      throw Unhandled.INSTANCE;
    }
    return value;
  }

  private int digits() {
    int start = pos;
    while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
    return pos - start;
  }

  private boolean literal(String word) {
    int length = word.length();
    if (pos + length > in.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (in[pos + i] != word.charAt(i)) {
        return false;
      }
    }
    pos += length;
    return true;
  }

  private String key() {
    if (peek() != '"') {
      throw Unhandled.INSTANCE;
    }
    return string();
  }

  /** A string field: its raw bytes when it has no escape, else the decoded text as UTF-8. */
  private void stringBytes(Field field, boolean keepDefault) {
    int start = pos + 1;
    int end = plainEnd(start);
    if (end >= 0) {
      pos = end + 1;
      if (end > start || keepDefault) {
        out.varint(field.tag);
        out.varint(end - start);
        out.write(in, start, end - start);
      }
      return;
    }
    byte[] bytes = string().getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0 || keepDefault) {
      out.varint(field.tag);
      out.varint(bytes.length);
      out.write(bytes);
    }
  }

  /**
   * Where the string starting at {@code start} (after its quote) ends, when it is ASCII without
   * escapes; else -1.
   */
  private int plainEnd(int start) {
    for (int i = start; i < in.length; i++) {
      byte b = in[i];
      if (b == '"') {
        return i;
      }
      if (b == '\\' || b < 0x20) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * A JSON string, decoded as JsonFormat does (its body is decoded as UTF-8 with replacement, then
   * the escapes); a raw control character or a lone surrogate is JsonFormat's to judge.
   */
  private String string() {
    expect('"');
    int start = pos;
    int end = plainEnd(start);
    if (end >= 0) {
      pos = end + 1;
      return new String(in, start, end - start, StandardCharsets.ISO_8859_1);
    }
    StringBuilder text = new StringBuilder();
    int run = pos;
    while (true) {
      if (pos >= in.length) {
        throw Unhandled.INSTANCE;
      }
      byte b = in[pos];
      if (b == '"') {
        text.append(new String(in, run, pos - run, StandardCharsets.UTF_8));
        pos++;
        return text.toString();
      }
      if (b >= 0 && b < 0x20) {
        throw Unhandled.INSTANCE;
      }
      if (b != '\\') {
        pos++;
        continue;
      }
      text.append(new String(in, run, pos - run, StandardCharsets.UTF_8));
      pos++;
      int escape = next();
      switch (escape) {
        case '"', '\\', '/' -> text.append((char) escape);
        case 'b' -> text.append('\b');
        case 'f' -> text.append('\f');
        case 'n' -> text.append('\n');
        case 'r' -> text.append('\r');
        case 't' -> text.append('\t');
        case 'u' -> {
          char c = hex4();
          if (Character.isHighSurrogate(c)) {
            if (!literal("\\u")) {
              throw Unhandled.INSTANCE;
            }
            char low = hex4();
            if (!Character.isLowSurrogate(low)) {
              throw Unhandled.INSTANCE;
            }
            text.append(c).append(low);
          } else if (Character.isLowSurrogate(c)) {
            throw Unhandled.INSTANCE;
          } else {
            text.append(c);
          }
        }
        default -> throw Unhandled.INSTANCE;
      }
      run = pos;
    }
  }

  private char hex4() {
    if (pos + 4 > in.length) {
      throw Unhandled.INSTANCE;
    }
    int value = 0;
    for (int i = 0; i < 4; i++) {
      int digit = Character.digit(in[pos++], 16);
      if (digit < 0) {
        throw Unhandled.INSTANCE;
      }
      value = value << 4 | digit;
    }
    return (char) value;
  }

  /** Bytes as base64, standard or URL-safe, padded or not (JsonFormat takes both). */
  private byte[] base64() {
    int start = pos + 1;
    int end = plainEnd(start);
    if (end < 0) {
      throw Unhandled.INSTANCE;
    }
    pos = end + 1;
    ByteBuffer text = ByteBuffer.wrap(in, start, end - start);
    try {
      return decoded(Base64.getDecoder().decode(text));
    } catch (IllegalArgumentException e) {
      try {
        return decoded(Base64.getUrlDecoder().decode(ByteBuffer.wrap(in, start, end - start)));
      } catch (IllegalArgumentException again) {
        throw Unhandled.INSTANCE;
      }
    }
  }

  private static byte[] decoded(ByteBuffer buffer) {
    if (buffer.hasArray()
        && buffer.arrayOffset() == 0
        && buffer.position() == 0
        && buffer.remaining() == buffer.array().length) {
      return buffer.array();
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private void whitespace() {
    while (pos < in.length) {
      byte b = in[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return;
      }
      pos++;
    }
  }

  private int peek() {
    return pos < in.length ? in[pos] : -1;
  }

  private int next() {
    if (pos >= in.length) {
      throw Unhandled.INSTANCE;
    }
    return in[pos++];
  }

  private void expect(int c) {
    if (next() != c) {
      throw Unhandled.INSTANCE;
    }
  }
}
