package io.vireo.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command: its subcommands, and the streams they read and write. */
@Command(
    name = "vireo",
    mixinStandardHelpOptions = true,
    versionProvider = Vireo.Version.class,
    description = "Lists, describes and calls Vireo services, publishes and subscribes to events.",
    subcommands = {
      ServicesCommand.class,
      DescribeCommand.class,
      CallCommand.class,
      PublishCommand.class,
      SubscribeCommand.class,
      HealthCommand.class,
      AdminCommand.Offline.class,
      AdminCommand.Online.class,
      NewCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  vireo services --zookeeper 127.0.0.1:2181",
      "  vireo describe greeter --zookeeper 127.0.0.1:2181",
      "  vireo call greeter SayHello '{\"name\":\"Ada\"}' --zookeeper 127.0.0.1:2181",
      "  vireo call greeter SayHello -d '{\"name\":\"Ada\"}' --address 127.0.0.1:50051 --transport grpc",
      "",
      "Settings: the same vireo.* keys as a service (-Dvireo.registry=zookeeper, VIREO_REGISTRY=zookeeper,",
      "a vireo.yaml in the working folder), or the short options of each command.",
      "Exit codes: 0 OK, 1 unexpected failure, 2 usage error, 10 + the gRPC status code otherwise",
      "(13 INVALID_ARGUMENT, 14 DEADLINE_EXCEEDED, 15 NOT_FOUND, 24 UNAVAILABLE, ...)."
    })
final class Vireo implements Runnable {
  final InputStream in;
  final PrintWriter out;
  final PrintWriter err;

  Vireo(InputStream in, PrintWriter out, PrintWriter err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  @CommandLine.Spec CommandLine.Model.@Nullable CommandSpec spec;

  @Override
  public void run() {
    if (spec != null) {
      spec.commandLine().usage(out);
    }
  }

  /** {@code --version}: the Vireo version this jar was built from. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vireo " + Main.version()};
    }
  }
}
