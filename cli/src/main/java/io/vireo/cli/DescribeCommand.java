package io.vireo.cli;

import com.google.protobuf.Descriptors;
import io.vireo.reflection.ServiceSchema;
import io.vireo.registry.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vireo describe <service>}: instances, endpoints and message schemas, from the running
 * service.
 */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    versionProvider = Vireo.Version.class,
    description =
        "Shows a service's instances (address, transport, version, weight, metadata, health), its endpoints "
            + "with their kind, and the request and response messages, learned through server reflection.",
    footer = {"", "Example:", "  vireo describe greeter --zookeeper 127.0.0.1:2181 --output table"})
final class DescribeCommand implements Callable<Integer> {
  @ParentCommand Vireo vireo;

  @Mixin Options options;

  @Parameters(
      index = "0",
      paramLabel = "SERVICE",
      description = "The service's name in the registry.")
  String service;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Options.Durations.class,
      description = "How long to wait for reflection (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    Output output = new Output(vireo.out, options.output);
    try (Session session = Session.open(options, Map.of())) {
      List<ServiceInstance> instances = session.require(service);
      ServiceSchema schema = session.schema(service, timeout);
      List<Map<String, Object>> instanceRows = new ArrayList<>();
      for (ServiceInstance instance : instances) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", instance.id());
        row.put("address", instance.address());
        row.put("transport", instance.transport());
        row.put("version", instance.version());
        row.put("weight", instance.weight());
        row.put("metadata", instance.metadata());
        row.put(
            "health",
            options.address().isPresent() ? "UNKNOWN" : Admin.health(instance).get("status"));
        instanceRows.add(row);
      }
      List<Map<String, Object>> methods = new ArrayList<>();
      Set<Descriptors.Descriptor> messages = new LinkedHashSet<>();
      Set<String> described = new LinkedHashSet<>();
      for (Descriptors.MethodDescriptor method : schema.methods()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("service", method.getService().getFullName());
        row.put("method", method.getName());
        row.put("kind", ServiceSchema.kind(method).name());
        row.put("request", method.getInputType().getFullName());
        row.put("response", method.getOutputType().getFullName());
        methods.add(row);
        described.add(ServiceSchema.route(method).fullName());
        collect(method.getInputType(), messages);
        collect(method.getOutputType(), messages);
      }
      // endpoints the instances serve that no .proto describes (JSON records, fire-and-forget ones)
      Set<String> undescribed = new LinkedHashSet<>();
      instances.forEach(
          instance ->
              instance.endpoints().stream()
                  .filter(
                      endpoint ->
                          !described.contains(endpoint) && !endpoint.startsWith("grpc.reflection."))
                  .forEach(undescribed::add));
      Map<String, Object> schemas = new LinkedHashMap<>();
      messages.forEach(message -> schemas.put(message.getFullName(), Schemas.message(message)));
      if (output.table()) {
        vireo.out.println("service " + service);
        vireo.out.println();
        new Output(vireo.out, options.output).rows(instanceRows);
        vireo.out.println();
        new Output(vireo.out, options.output).rows(methods);
        undescribed.forEach(endpoint -> vireo.out.println(endpoint + "  (no schema)"));
        messages.forEach(
            message -> {
              vireo.out.println();
              vireo.out.print(Schemas.proto(message));
            });
      } else {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("service", service);
        document.put("instances", instanceRows);
        document.put("methods", methods);
        document.put("undescribedEndpoints", new ArrayList<>(undescribed));
        document.put("messages", schemas);
        output.document(document);
      }
    }
    return 0;
  }

  private static void collect(Descriptors.Descriptor message, Set<Descriptors.Descriptor> into) {
    if (!into.add(message)) {
      return;
    }
    for (Descriptors.FieldDescriptor field : message.getFields()) {
      if (field.getJavaType() == Descriptors.FieldDescriptor.JavaType.MESSAGE) {
        collect(field.getMessageType(), into);
      }
    }
  }
}
