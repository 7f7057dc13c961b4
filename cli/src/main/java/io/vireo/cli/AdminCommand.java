package io.vireo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vireo offline|online <service>}: takes instances out of the registry and back without
 * stopping them, through their admin endpoints ({@code POST /admin/offline}, {@code
 * /admin/online}). An instance taken offline is no longer in the registry, so its admin address is
 * remembered in {@code ~/.vireo/offline.properties} (or {@code -Dvireo.cli.state-dir}) for {@code
 * online}.
 */
abstract class AdminCommand implements Callable<Integer> {
  @ParentCommand Vireo vireo;

  @Mixin Options options;

  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service.")
  String service;

  @Option(
      names = "--instance",
      paramLabel = "ID",
      description = "This instance (an id from describe or health).")
  @Nullable String instance;

  @Option(names = "--all", description = "Every instance of the service.")
  boolean all;

  @Option(
      names = "--admin",
      paramLabel = "HOST:PORT",
      description = "The instance's admin endpoint, if the registry cannot say.")
  @Nullable String admin;

  abstract boolean offline();

  @Override
  public Integer call() {
    Output output = new Output(vireo.out, options.output);
    try (Session session = Session.open(options, Map.of())) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Target target : targets(session)) {
        JsonNode answer = Admin.post(target.admin, offline() ? "/admin/offline" : "/admin/online");
        remember(target, offline());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("service", service);
        row.put("instance", target.id);
        row.put("admin", target.admin);
        row.put("offline", answer.path("offline").asBoolean());
        row.put("registered", answer.path("registered").asBoolean());
        rows.add(row);
      }
      output.rows(rows);
    }
    return 0;
  }

  private record Target(String id, String admin) {}

  private List<Target> targets(Session session) {
    if (admin != null) {
      return List.of(new Target(instance != null ? instance : admin, admin));
    }
    List<ServiceInstance> instances = session.instances(service);
    List<ServiceInstance> chosen =
        instances.stream().filter(i -> instance == null || i.id().equals(instance)).toList();
    if (instance != null && chosen.isEmpty()) {
      Optional<String> remembered = remembered(instance);
      if (remembered.isPresent()) {
        return List.of(new Target(instance, remembered.get()));
      }
      throw VireoException.of(
          Status.NOT_FOUND,
          "instance '%s' of %s is not in %s (instances: %s); for one taken offline elsewhere, give --admin HOST:PORT",
          instance,
          service,
          session.where(),
          instances.isEmpty()
              ? "none"
              : String.join(", ", instances.stream().map(ServiceInstance::id).toList()));
    }
    if (!offline() && instance == null) {
      // instances taken offline from here are not in the registry: they are the ones to bring back
      List<Target> back = rememberedOf(service);
      if (!back.isEmpty() && (all || back.size() == 1)) {
        return back;
      }
    }
    if (instance == null && !all) {
      if (instances.isEmpty()) {
        throw VireoException.of(
            Status.NOT_FOUND, "service '%s' has no instance in %s", service, session.where());
      }
      if (instances.size() > 1) {
        throw VireoException.of(
            Status.INVALID_ARGUMENT,
            "service %s has %d instances (%s): give --instance ID, or --all",
            service,
            instances.size(),
            String.join(", ", instances.stream().map(ServiceInstance::id).toList()));
      }
    }
    List<Target> targets = new ArrayList<>();
    for (ServiceInstance each : chosen) {
      String address =
          Admin.address(each)
              .orElseThrow(
                  () ->
                      VireoException.of(
                          Status.FAILED_PRECONDITION,
                          "instance %s of %s registered no admin endpoint (set vireo.admin.port on the service, or give --admin HOST:PORT)",
                          each.id(),
                          service));
      targets.add(new Target(each.id(), address));
    }
    return targets;
  }

  static Path stateFile() {
    String dir =
        System.getProperty("vireo.cli.state-dir", System.getProperty("user.home") + "/.vireo");
    return Path.of(dir, "offline.properties");
  }

  private static List<Target> rememberedOf(String service) {
    List<Target> targets = new ArrayList<>();
    load()
        .forEach(
            (key, value) -> {
              String name = key.toString();
              if (name.startsWith(service + "/")) {
                targets.add(new Target(name.substring(service.length() + 1), value.toString()));
              }
            });
    return targets;
  }

  private Optional<String> remembered(String id) {
    return Optional.ofNullable(load().getProperty(service + "/" + id));
  }

  private void remember(Target target, boolean offline) {
    Properties state = load();
    if (offline) {
      state.setProperty(service + "/" + target.id, target.admin);
    } else {
      state.remove(service + "/" + target.id);
    }
    Path file = stateFile();
    try {
      Files.createDirectories(file.getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        state.store(out, "instances taken offline by vireo offline: service/id = admin host:port");
      }
    } catch (IOException e) {
      vireo.err.println("warning: cannot write " + file + ": " + e.getMessage());
    }
  }

  private static Properties load() {
    Properties state = new Properties();
    Path file = stateFile();
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        state.load(in);
      } catch (IOException e) {
        return state;
      }
    }
    return state;
  }

  @Command(
      name = "offline",
      mixinStandardHelpOptions = true,
      versionProvider = Vireo.Version.class,
      description =
          "Takes an instance out of the registry without stopping it (calls in flight and pinned calls are still served).",
      footer = {
        "",
        "Examples:",
        "  vireo offline greeter --instance greeter-1a2b3c4d --zookeeper 127.0.0.1:2181",
        "  vireo offline greeter --all --zookeeper 127.0.0.1:2181"
      })
  static final class Offline extends AdminCommand {
    @Override
    boolean offline() {
      return true;
    }
  }

  @Command(
      name = "online",
      mixinStandardHelpOptions = true,
      versionProvider = Vireo.Version.class,
      description = "Puts an instance taken offline back into the registry.",
      footer = {
        "",
        "Example:",
        "  vireo online greeter --instance greeter-1a2b3c4d --zookeeper 127.0.0.1:2181"
      })
  static final class Online extends AdminCommand {
    @Override
    boolean offline() {
      return false;
    }
  }
}
