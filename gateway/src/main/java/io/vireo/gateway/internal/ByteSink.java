package io.vireo.gateway.internal;

import java.util.Arrays;

/** A growable byte array for the transcoders' output: JSON text or protobuf wire bytes. */
final class ByteSink {
  private byte[] bytes;
  private int size;

  ByteSink(int capacity) {
    this.bytes = new byte[Math.max(16, capacity)];
  }

  int size() {
    return size;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }

  void write(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  void write(byte[] from) {
    write(from, 0, from.length);
  }

  void write(byte[] from, int offset, int length) {
    ensure(length);
    System.arraycopy(from, offset, bytes, size, length);
    size += length;
  }

  /** ASCII text (numbers, literals). */
  void ascii(String text) {
    int length = text.length();
    ensure(length);
    for (int i = 0; i < length; i++) {
      bytes[size++] = (byte) text.charAt(i);
    }
  }

  void varint(long value) {
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      bytes[size++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    bytes[size++] = (byte) value;
  }

  void fixed32(int value) {
    ensure(4);
    for (int i = 0; i < 4; i++) {
      bytes[size++] = (byte) (value >>> (8 * i));
    }
  }

  void fixed64(long value) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      bytes[size++] = (byte) (value >>> (8 * i));
    }
  }

  /**
   * Puts the varint length of what was written since {@code start} before it (a nested message's
   * length prefix, known only once it is written).
   */
  void prefixLength(int start) {
    int length = size - start;
    int prefix = 1;
    for (long rest = length >>> 7; rest != 0; rest >>>= 7) {
      prefix++;
    }
    ensure(prefix);
    System.arraycopy(bytes, start, bytes, start + prefix, length);
    int at = start;
    long value = length;
    while ((value & ~0x7FL) != 0) {
      bytes[at++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    bytes[at] = (byte) value;
    size += prefix;
  }
}
