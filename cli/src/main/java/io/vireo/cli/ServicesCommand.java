package io.vireo.cli;

import com.google.protobuf.Descriptors;
import io.vireo.reflection.ServiceSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code vireo services}: every service in the registry with its instance count. */
@Command(
    name = "services",
    mixinStandardHelpOptions = true,
    versionProvider = Vireo.Version.class,
    description =
        "Lists the services in the registry, with their instance counts (with --address: the proto services of that instance).",
    footer = {"", "Example:", "  vireo services --zookeeper 127.0.0.1:2181 --output table"})
final class ServicesCommand implements Callable<Integer> {
  @ParentCommand Vireo vireo;

  @Mixin Options options;

  @Override
  public Integer call() {
    Output output = new Output(vireo.out, options.output);
    try (Session session = Session.open(options, Map.of())) {
      List<Map<String, Object>> rows = new ArrayList<>();
      if (options.address().isPresent()) {
        session.instances(Session.NAME);
        ServiceSchema schema = session.schema(Session.NAME, Duration.ofSeconds(10));
        for (Descriptors.ServiceDescriptor service : schema.services()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("service", service.getFullName());
          row.put("methods", service.getMethods().size());
          rows.add(row);
        }
      } else {
        for (String service : session.services()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("service", service);
          row.put("instances", session.instances(service).size());
          rows.add(row);
        }
      }
      output.rows(rows);
    }
    return 0;
  }
}
