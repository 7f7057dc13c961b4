package io.vireo.internal.runtime;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.codec.Codec;
import io.vireo.codec.spi.CodecProvider;
import io.vireo.config.Config;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Every codec on the classpath, by content type, and the one this service sends with. */
public final class Codecs {
  private final Codec primary;
  private final Map<String, Codec> byContentType = new HashMap<>();

  public Codecs(Codec primary, Config config) {
    this.primary = primary;
    for (String name : Plugins.names(CodecProvider.class)) {
      Codec codec =
          name.equals(primary.name())
              ? primary
              : Plugins.create(CodecProvider.class, "codec", name, config);
      byContentType.putIfAbsent(codec.contentType(), codec);
    }
    byContentType.put(primary.contentType(), primary);
    Optional.ofNullable(byContentType.get("application/x-protobuf"))
        .ifPresent(proto -> byContentType.putIfAbsent("application/protobuf", proto));
  }

  /** The codec calls and events are sent with ({@code vireo.codec}). */
  public Codec primary() {
    return primary;
  }

  /** The codec for a received content type; INVALID_ARGUMENT naming the supported ones if none. */
  public Codec forContentType(String contentType) {
    Codec codec = byContentType.get(contentType);
    if (codec == null) {
      int semicolon = contentType.indexOf(';');
      codec = semicolon > 0 ? byContentType.get(contentType.substring(0, semicolon).trim()) : null;
    }
    if (codec == null) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT,
          "content type '%s' is not supported (expected one of: %s)",
          contentType,
          String.join(", ", byContentType.keySet()));
    }
    return codec;
  }
}
