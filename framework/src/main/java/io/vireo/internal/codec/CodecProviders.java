package io.vireo.internal.codec;

import io.vireo.codec.Codec;
import io.vireo.codec.spi.CodecProvider;
import io.vireo.config.Config;

/** The built-in codec providers. */
public final class CodecProviders {
  private CodecProviders() {}

  /** {@code proto}. */
  public static final class Proto implements CodecProvider {
    @Override
    public String name() {
      return ProtoCodec.NAME;
    }

    @Override
    public Codec create(Config config) {
      return new ProtoCodec();
    }
  }

  /** {@code json}. */
  public static final class Json implements CodecProvider {
    @Override
    public String name() {
      return JsonCodec.NAME;
    }

    @Override
    public Codec create(Config config) {
      return new JsonCodec();
    }
  }
}
