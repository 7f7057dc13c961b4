package io.vireo.spring;

import com.google.protobuf.StringValue;
import io.vireo.RpcService;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@RpcService("vireo.spring.test.Echo")
public interface Echo {
  Mono<StringValue> echo(StringValue request);

  Flux<StringValue> repeat(StringValue request);

  static StringValue text(String value) {
    return StringValue.of(value);
  }
}
