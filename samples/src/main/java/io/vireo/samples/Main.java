package io.vireo.samples;

import io.vireo.Service;
import io.vireo.samples.greeter.Greeter;
import io.vireo.samples.greeter.GreeterImpl;
import io.vireo.samples.greeter.proto.HelloReply;
import io.vireo.samples.greeter.proto.HelloRequest;
import io.vireo.samples.greeter.proto.UserGreeted;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The samples, one command each: {@code java [-Dvireo.key=value...] -jar vireo-samples.jar <command>}.
 *
 * <ul>
 *   <li>{@code greeter}: serves the greeter (registered as {@code greeter}) until stopped;
 *   <li>{@code client}: calls all four kinds on whatever greeter the registry offers, prints the results;
 *   <li>{@code demo}: both in one JVM, plus an event published and received, on the embedded default.
 * </ul>
 */
public final class Main {
  static final Duration WAIT = Duration.ofSeconds(10);

  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "demo" : args[0];
    switch (command) {
      case "greeter":
        greeter().run();
        break;
      case "client":
        client();
        break;
      case "demo":
        demo();
        break;
      default:
        System.err.println("unknown command '" + command + "' (expected: greeter, client or demo)");
        System.exit(2);
    }
  }

  static Service greeter() {
    return Service.builder("greeter")
        .version("1.0.0")
        .handle(Greeter.class, new GreeterImpl("greeter"))
        .build();
  }

  static void client() {
    Service client = Service.builder("greeter-client").build().start();
    try {
      callAll(client.client("greeter", Greeter.class));
    } finally {
      client.stop();
    }
  }

  static void demo() throws Exception {
    CompletableFuture<String> received = new CompletableFuture<>();
    Service greeter = greeter().start();
    Service audit = Service.builder("audit")
        .subscribe("user.greeted", UserGreeted.class, event -> Mono.fromRunnable(() -> received.complete(event.getName())))
        .build()
        .start();
    Service client = Service.builder("greeter-client").build().start();
    try {
      callAll(client.client("greeter", Greeter.class));
      client.publish("user.greeted", UserGreeted.newBuilder().setName("Ada").build()).block(WAIT);
      System.out.println("event user.greeted received: " + received.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    } finally {
      client.stop();
      audit.stop();
      greeter.stop();
    }
  }

  static void callAll(Greeter greeter) {
    HelloRequest ada = request("Ada");
    System.out.println("SayHello: " + greeter.sayHello(ada).map(HelloReply::getMessage).block(WAIT));
    System.out.println("LotsOfReplies: " + greeter.lotsOfReplies(ada).map(HelloReply::getMessage).collectList().block(WAIT));
    System.out.println("LotsOfGreetings: " + greeter.lotsOfGreetings(Flux.just(request("Ada"), request("Grace"), request("Linus")))
        .map(HelloReply::getMessage).block(WAIT));
    List<String> bidi = greeter.bidiHello(Flux.just(request("Ada"), request("Grace")))
        .map(HelloReply::getMessage).collectList().block(WAIT);
    System.out.println("BidiHello: " + bidi);
  }

  static HelloRequest request(String name) {
    return HelloRequest.newBuilder().setName(name).build();
  }
}
