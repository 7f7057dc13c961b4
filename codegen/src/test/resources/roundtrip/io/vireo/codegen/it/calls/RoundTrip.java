package io.vireo.codegen.it.calls;

import com.google.protobuf.Empty;
import io.vireo.Service;
import io.vireo.codegen.it.common.Common.Name;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/** Serves GreeterImpl on one transport and calls every rpc through the generated clients. */
public final class RoundTrip implements Function<String, List<String>> {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Override
  public List<String> apply(String transport) {
    String name = "codegen-greeter-" + transport;
    GreeterImpl impl = new GreeterImpl();
    Service server = Service.builder(name)
        .set("vireo.transport", transport)
        .handle(Greeter.class, impl)
        .handle(Ticker.class, impl)
        .build()
        .start();
    // a generous deadline: the first call of a cold JVM on a busy machine can take seconds
    Service caller = Service.builder("codegen-caller-" + transport)
        .set("vireo.transport", transport)
        .set("vireo.client.timeout", "30s")
        .build()
        .start();
    try {
      Greeter greeter = GreeterClient.of(caller, name);
      Ticker ticker = TickerClient.of(caller, name);
      HelloRequest ada = HelloRequest.newBuilder().setName("Ada").build();
      Flux<HelloRequest> three = Flux.just("Ada", "Grace", "Linus").map(n -> HelloRequest.newBuilder().setName(n).build());
      List<String> out = new ArrayList<>();
      out.add(greeter.sayHello(ada).map(HelloReply::getMessage).block(WAIT));
      out.add(String.valueOf(greeter.lotsOfReplies(ada).map(HelloReply::getMessage).collectList().block(WAIT)));
      out.add(greeter.lotsOfGreetings(three).map(HelloReply::getMessage).block(WAIT));
      out.add(String.valueOf(greeter.bidiHello(three).map(HelloReply::getMessage).collectList().block(WAIT)));
      out.add(greeter.join(Name.Pair.newBuilder().setFirst("Ada").setSecond("Lovelace").build()).map(Name::getValue).block(WAIT));
      out.add(greeter.import_(ada).map(HelloReply::getMessage).block(WAIT));
      out.add(String.valueOf(ticker.ticks(Empty.getDefaultInstance()).map(Tick::getN).collectList().block(WAIT)));
      out.add(String.valueOf(ticker.reset(Empty.getDefaultInstance()).block(WAIT)).isEmpty() ? "reset" : "reset?");
      return out;
    } finally {
      caller.stop();
      server.stop();
    }
  }
}
