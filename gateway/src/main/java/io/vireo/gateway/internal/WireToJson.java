package io.vireo.gateway.internal;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.WireFormat;
import io.vireo.gateway.internal.JsonPlan.Field;
import io.vireo.gateway.internal.JsonPlan.Unhandled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Protobuf wire bytes straight to JSON text, as {@code JsonFormat}'s printer writes them (fields in
 * number order, fields without presence always, int64 as strings, enums by name, bytes as base64,
 * strings escaped as Gson does), without a {@code DynamicMessage} or a String in between. It reads
 * the canonical shape every protobuf serializer writes: fields in increasing number order, each
 * once (a repeated field's values together). Anything else (a field again, out of order, two of a
 * oneof, malformed bytes) is {@link Unhandled}: the caller parses a DynamicMessage instead.
 */
final class WireToJson {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BASE64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
          .getBytes(StandardCharsets.US_ASCII);

  /** Gson's escapes (HTML-safe, as JsonFormat's Gson is): null for the ASCII bytes kept as is. */
  private static final byte[][] ESCAPES = new byte[128][];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPES[c] = unicodeEscape(c);
    }
    for (char c : new char[] {'<', '>', '&', '=', '\''}) {
      ESCAPES[c] = unicodeEscape(c);
    }
    ESCAPES['"'] = "\\\"".getBytes(StandardCharsets.US_ASCII);
    ESCAPES['\\'] = "\\\\".getBytes(StandardCharsets.US_ASCII);
    ESCAPES['\t'] = "\\t".getBytes(StandardCharsets.US_ASCII);
    ESCAPES['\b'] = "\\b".getBytes(StandardCharsets.US_ASCII);
    ESCAPES['\n'] = "\\n".getBytes(StandardCharsets.US_ASCII);
    ESCAPES['\r'] = "\\r".getBytes(StandardCharsets.US_ASCII);
    ESCAPES['\f'] = "\\f".getBytes(StandardCharsets.US_ASCII);
  }

  /** DynamicMessage's (CodedInputStream's) limit. */
  private static final int MAX_DEPTH = 100;

  private final byte[] in;
  private int pos;
  private int depth;
  private final ByteSink out;

  private WireToJson(byte[] in, ByteSink out) {
    this.in = in;
    this.out = out;
  }

  /** The JSON of {@code wire}, a message of {@code plan}'s type. */
  static byte[] print(JsonPlan plan, byte[] wire) {
    ByteSink out = new ByteSink(wire.length * 2 + 32);
    new WireToJson(wire, out).message(plan, wire.length);
    return out.toByteArray();
  }

  private void message(JsonPlan plan, int end) {
    if (++depth > MAX_DEPTH) {
      throw Unhandled.INSTANCE;
    }
    out.write('{');
    Field[] fields = plan.fields;
    int next = 0;
    int last = 0;
    long oneofs = 0;
    boolean first = true;
    while (pos < end) {
      int tag = (int) varint(end);
      int number = tag >>> 3;
      int wireType = tag & 7;
      if (number == 0) {
        throw Unhandled.INSTANCE;
      }
      Field field = plan.field(number);
      if (field == null
          || wireType != field.wireType
              && !(field.packable() && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        skip(wireType, end); // an unknown field, as DynamicMessage keeps it: not printed
        continue;
      }
      if (number <= last) {
        throw Unhandled.INSTANCE;
      }
      last = number;
      while (fields[next] != field) {
        first = absent(fields[next++], first);
      }
      next++;
      if (field.oneof >= 0) {
        if ((oneofs & (1L << field.oneof)) != 0) {
          throw Unhandled.INSTANCE;
        }
        oneofs |= 1L << field.oneof;
      }
      first = comma(first);
      out.write(field.key);
      if (field.repeated) {
        repeated(field, wireType, end);
      } else {
        value(field, end);
      }
    }
    if (pos != end) {
      throw Unhandled.INSTANCE;
    }
    while (next < fields.length) {
      first = absent(fields[next++], first);
    }
    out.write('}');
    depth--;
  }

  private boolean comma(boolean first) {
    if (!first) {
      out.write(',');
    }
    return false;
  }

  /** A field not on the wire: printed with its default when it has no presence. */
  private boolean absent(Field field, boolean first) {
    if (field.repeated) {
      first = comma(first);
      out.write(field.key);
      out.write('[');
      out.write(']');
    } else if (!field.presence) {
      first = comma(first);
      out.write(field.key);
      defaultValue(field);
    }
    return first;
  }

  private void defaultValue(Field field) {
    switch (field.type) {
      case INT64, SINT64, SFIXED64, UINT64, FIXED64 -> out.ascii("\"0\"");
      case FLOAT, DOUBLE -> out.ascii("0.0");
      case BOOL -> out.ascii("false");
      case STRING, BYTES -> out.ascii("\"\"");
      case ENUM -> enumValue(field, 0);
      default -> out.write('0');
    }
  }

  /** A repeated field's values: this record and the ones right after it, packed or not. */
  private void repeated(Field field, int wireType, int end) {
    out.write('[');
    boolean first = true;
    while (true) {
      if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED && field.packable()) {
        int runEnd = length(end);
        while (pos < runEnd) {
          first = comma(first);
          value(field, runEnd);
        }
      } else {
        first = comma(first);
        value(field, end);
      }
      if (pos >= end) {
        break;
      }
      int at = pos;
      int tag = (int) varint(end);
      if (tag >>> 3 != field.number) {
        pos = at;
        break;
      }
      wireType = tag & 7;
      if (wireType != field.wireType
          && !(field.packable() && wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        throw Unhandled.INSTANCE;
      }
    }
    out.write(']');
  }

  private void value(Field field, int end) {
    switch (field.type) {
      case INT32 -> out.ascii(Integer.toString((int) varint(end)));
      case SINT32 -> out.ascii(Integer.toString(zigzag32((int) varint(end))));
      case SFIXED32 -> out.ascii(Integer.toString(fixed32(end)));
      case UINT32 -> out.ascii(Integer.toUnsignedString((int) varint(end)));
      case FIXED32 -> out.ascii(Integer.toUnsignedString(fixed32(end)));
      case INT64 -> quoted(Long.toString(varint(end)));
      case SINT64 -> quoted(Long.toString(zigzag64(varint(end))));
      case SFIXED64 -> quoted(Long.toString(fixed64(end)));
      case UINT64 -> quoted(Long.toUnsignedString(varint(end)));
      case FIXED64 -> quoted(Long.toUnsignedString(fixed64(end)));
      case BOOL -> out.ascii(varint(end) != 0 ? "true" : "false");
      case FLOAT -> {
        float value = Float.intBitsToFloat(fixed32(end));
        if (Float.isNaN(value) || Float.isInfinite(value)) {
          quoted(Float.toString(value));
        } else {
          out.ascii(Float.toString(value));
        }
      }
      case DOUBLE -> {
        double value = Double.longBitsToDouble(fixed64(end));
        if (Double.isNaN(value) || Double.isInfinite(value)) {
          quoted(Double.toString(value));
        } else {
          out.ascii(Double.toString(value));
        }
      }
      case ENUM -> enumValue(field, (int) varint(end));
      case STRING -> {
        int stringEnd = length(end);
        string(pos, stringEnd);
        pos = stringEnd;
      }
      case BYTES -> {
        int bytesEnd = length(end);
        base64(pos, bytesEnd);
        pos = bytesEnd;
      }
      case MESSAGE -> message(field.message, length(end));
      default -> throw Unhandled.INSTANCE;
    }
  }

  private void enumValue(Field field, int number) {
    EnumValueDescriptor value = field.enumValue(number);
    if (value == null) {
      out.ascii(Integer.toString(number)); // an open enum's unknown number, as JsonFormat prints
    } else {
      quoted(value.getName());
    }
  }

  private void quoted(String ascii) {
    out.write('"');
    out.ascii(ascii);
    out.write('"');
  }

  /** UTF-8 from the wire, escaped; invalid UTF-8 is DynamicMessage's error to report. */
  private void string(int from, int to) {
    out.write('"');
    for (int i = from; i < to; i++) {
      if (in[i] < 0) {
        checkUtf8(from, to);
        break;
      }
    }
    int kept = from;
    for (int i = from; i < to; i++) {
      int b = in[i];
      byte[] escape = null;
      int skip = 1;
      if (b >= 0) {
        escape = ESCAPES[b];
      } else if ((b & 0xFF) == 0xE2
          && i + 2 < to
          && in[i + 1] == (byte) 0x80
          && (in[i + 2] == (byte) 0xA8 || in[i + 2] == (byte) 0xA9)) {
        // U+2028 and U+2029, which Gson escapes too
        escape = unicodeEscape(in[i + 2] == (byte) 0xA8 ? 0x2028 : 0x2029);
        skip = 3;
      }
      if (escape != null) {
        out.write(in, kept, i - kept);
        out.write(escape);
        kept = i + skip;
        i += skip - 1;
      }
    }
    out.write(in, kept, to - kept);
    out.write('"');
  }

  private void checkUtf8(int from, int to) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(in, from, to - from));
    } catch (CharacterCodingException e) {
      throw Unhandled.INSTANCE;
    }
  }

  private static byte[] unicodeEscape(int c) {
    return new byte[] {
      '\\', 'u', HEX[(c >> 12) & 15], HEX[(c >> 8) & 15], HEX[(c >> 4) & 15], HEX[c & 15]
    };
  }

  /** Standard base64 with padding, as JsonFormat writes bytes. */
  private void base64(int from, int to) {
    out.write('"');
    int i = from;
    for (; i + 2 < to; i += 3) {
      int bits = (in[i] & 0xFF) << 16 | (in[i + 1] & 0xFF) << 8 | (in[i + 2] & 0xFF);
      out.write(BASE64[bits >>> 18]);
      out.write(BASE64[(bits >>> 12) & 63]);
      out.write(BASE64[(bits >>> 6) & 63]);
      out.write(BASE64[bits & 63]);
    }
    if (to - i == 1) {
      int bits = (in[i] & 0xFF) << 16;
      out.write(BASE64[bits >>> 18]);
      out.write(BASE64[(bits >>> 12) & 63]);
      out.write('=');
      out.write('=');
    } else if (to - i == 2) {
      int bits = (in[i] & 0xFF) << 16 | (in[i + 1] & 0xFF) << 8;
      out.write(BASE64[bits >>> 18]);
      out.write(BASE64[(bits >>> 12) & 63]);
      out.write(BASE64[(bits >>> 6) & 63]);
      out.write('=');
    }
    out.write('"');
  }

  private long varint(int end) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw Unhandled.INSTANCE;
      }
      byte b = in[pos++];
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw Unhandled.INSTANCE;
  }

  private int fixed32(int end) {
    if (end - pos < 4) {
      throw Unhandled.INSTANCE;
    }
    int value = 0;
    for (int i = 0; i < 4; i++) {
      value |= (in[pos++] & 0xFF) << (8 * i);
    }
    return value;
  }

  private long fixed64(int end) {
    if (end - pos < 8) {
      throw Unhandled.INSTANCE;
    }
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value |= (long) (in[pos++] & 0xFF) << (8 * i);
    }
    return value;
  }

  /** A length prefix; the end of what it delimits. */
  private int length(int end) {
    long length = varint(end);
    if (length < 0 || length > end - pos) {
      throw Unhandled.INSTANCE;
    }
    return pos + (int) length;
  }

  private void skip(int wireType, int end) {
    switch (wireType) {
      case WireFormat.WIRETYPE_VARINT -> varint(end);
      case WireFormat.WIRETYPE_FIXED64 -> fixed64(end);
      case WireFormat.WIRETYPE_FIXED32 -> fixed32(end);
      case WireFormat.WIRETYPE_LENGTH_DELIMITED -> pos = length(end);
      default -> throw Unhandled.INSTANCE; // groups: DynamicMessage's to read
    }
  }

  private static int zigzag32(int n) {
    return (n >>> 1) ^ -(n & 1);
  }

  private static long zigzag64(long n) {
    return (n >>> 1) ^ -(n & 1);
  }
}
