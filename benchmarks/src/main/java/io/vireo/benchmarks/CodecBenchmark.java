package io.vireo.benchmarks;

import io.vireo.benchmarks.proto.Payload;
import io.vireo.codec.Codec;
import io.vireo.codec.spi.CodecProvider;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encoding and decoding the ~100-byte payload with each built-in codec; {@code rawProto*} is
 * protobuf-java alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
  @Param({"proto", "json"})
  public String codec;

  private Codec instance;
  private byte[] encoded;
  private byte[] rawEncoded;

  @Setup
  public void setUp() {
    instance = Plugins.create(CodecProvider.class, codec, Map.of());
    encoded = instance.encode(Payloads.REQUEST);
    rawEncoded = Payloads.REQUEST.toByteArray();
  }

  @Benchmark
  public byte[] encode() {
    return instance.encode(Payloads.REQUEST);
  }

  @Benchmark
  public Payload decode() {
    return instance.decode(encoded, Payload.class);
  }

  @Benchmark
  public byte[] rawProtoEncode() {
    return Payloads.REQUEST.toByteArray();
  }

  @Benchmark
  public Payload rawProtoDecode() throws Exception {
    return Payload.parseFrom(rawEncoded);
  }
}
