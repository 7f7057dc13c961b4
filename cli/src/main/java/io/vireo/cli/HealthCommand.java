package io.vireo.cli;

import io.vireo.Status;
import io.vireo.registry.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vireo health [<service>]}: each instance's {@code /health}, through the admin port it
 * registered.
 */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    versionProvider = Vireo.Version.class,
    description = {
      "Asks each instance (of one service, or of every service) for its health on its admin endpoint.",
      "Status UP, DOWN, UNREACHABLE, or UNKNOWN for an instance without vireo.admin.port. Exits 24 (UNAVAILABLE) unless all are UP."
    },
    footer = {"", "Example:", "  vireo health greeter --zookeeper 127.0.0.1:2181 --output table"})
final class HealthCommand implements Callable<Integer> {
  @ParentCommand Vireo vireo;

  @Mixin Options options;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SERVICE",
      description = "One service (default: every service).")
  @Nullable String service;

  @Override
  public Integer call() {
    Output output = new Output(vireo.out, options.output);
    boolean allUp = true;
    try (Session session = Session.open(options, Map.of())) {
      List<String> services = service != null ? List.of(service) : session.services();
      List<Map<String, Object>> rows = new ArrayList<>();
      for (String name : services) {
        List<ServiceInstance> instances =
            service != null ? session.require(name) : session.instances(name);
        for (ServiceInstance instance : instances) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("service", name);
          row.put("instance", instance.id());
          row.put("address", instance.address());
          row.putAll(Admin.health(instance));
          allUp &= "UP".equals(row.get("status"));
          rows.add(row);
        }
      }
      output.rows(rows);
    }
    return allUp ? 0 : Main.exitCode(Status.UNAVAILABLE);
  }
}
