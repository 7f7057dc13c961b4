package io.vireo.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Service;
import io.vireo.broker.memory.MemoryBroker;
import io.vireo.gateway.Gateway;
import io.vireo.gateway.console.test.Greeted;
import io.vireo.gateway.console.test.HelloReply;
import io.vireo.registry.Registry;
import io.vireo.registry.memory.MemoryRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}),
 * against a real gateway in front of a real Vireo service. Each test leaves a screenshot in {@code
 * target/screenshots/}.
 */
class ConsoleBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final String GREETER = "vireo.gateway.console.test.Greeter";
  static final Duration WAIT = Duration.ofSeconds(20);

  static final Registry REGISTRY = MemoryRegistry.newStore();
  static final MemoryBroker BROKER = MemoryBroker.newStore(100);
  static final List<Greeted> GREETED = new CopyOnWriteArrayList<>();
  static final Greeter.Impl IMPL = new Greeter.Impl();
  static Service greeter;
  static Gateway gateway;
  static ChromeDriverService driverService;
  static ChromeDriver browser;
  static Path profile;
  String screenshot;

  @BeforeAll
  static void start() throws IOException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException(
          "the console's browser tests need "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + " (expected: apt-get install --no-install-recommends chromium chromium-driver)");
    }
    greeter = service("greeter");
    gateway =
        Gateway.builder()
            .registry(REGISTRY)
            .broker(BROKER)
            .port(0)
            .host("127.0.0.1")
            .set("vireo.transport", "rsocket")
            .set("vireo.gateway.discovery.enabled", "true")
            .set("vireo.gateway.console.enabled", "true")
            .set("vireo.gateway.console.metrics.interval", "1s")
            .build()
            .start();
    profile = Files.createTempDirectory(Path.of("target"), "chromium-profile-").toAbsolutePath();
    driverService =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1200,900",
        "--user-data-dir=" + profile);
    browser = new ChromeDriver(driverService, options);
    browser.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    Files.createDirectories(SCREENSHOTS);
  }

  static Service service(String name) {
    return Service.builder(name)
        .registry(REGISTRY)
        .broker(BROKER)
        .set("vireo.transport", "rsocket")
        .set("vireo.wrappers", "metrics")
        .set("vireo.admin.port", "0")
        .set("vireo.admin.host", "127.0.0.1")
        .handle(Greeter.class, IMPL)
        .subscribe(
            "greeted",
            Greeted.class,
            event -> {
              GREETED.add(event);
              return Mono.empty();
            })
        .build()
        .start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (driverService != null) {
      driverService.stop();
    }
    if (gateway != null) {
      gateway.stop();
    }
    if (greeter != null) {
      greeter.stop();
    }
  }

  @BeforeEach
  void name(TestInfo test) {
    screenshot = test.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void screenshot() throws IOException {
    save(screenshot);
  }

  static void save(String name) throws IOException {
    Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
  }

  void open(String hash) {
    browser.get("about:blank");
    browser.get("http://127.0.0.1:" + gateway.port() + "/console/" + hash);
  }

  WebElement waitFor(By by) {
    return await()
        .atMost(WAIT)
        .ignoreExceptions()
        .until(() -> browser.findElement(by), e -> e.isDisplayed());
  }

  void waitForText(By by, String text) {
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(browser.findElement(by).getText()).contains(text));
  }

  static void type(WebElement field, String text) {
    field.clear();
    field.sendKeys(text);
  }

  @Test
  void servicesPageShowsAServiceThatStartsWithoutReload() throws IOException {
    screenshot = "console-services-after-stop";
    open("#/services");
    waitForText(By.cssSelector("tr[data-service=greeter] .count"), "1");
    ((JavascriptExecutor) browser).executeScript("window.sameDocument = 'yes'");
    assertThat(browser.findElements(By.cssSelector("tr[data-service=latecomer]"))).isEmpty();

    Service latecomer = service("latecomer");
    try {
      waitForText(By.cssSelector("tr[data-service=latecomer] .count"), "1");
      assertThat(((JavascriptExecutor) browser).executeScript("return window.sameDocument"))
          .isEqualTo("yes");
      assertThat(browser.findElement(By.id("services-state")).getText()).contains("live");
      save("console-services");
      browser.manage().window().setSize(new Dimension(420, 800));
      try {
        assertThat(
                browser.findElement(By.cssSelector("tr[data-service=latecomer] a")).isDisplayed())
            .isTrue();
        save("console-narrow");
      } finally {
        browser.manage().window().setSize(new Dimension(1200, 900));
      }
    } finally {
      latecomer.stop();
    }
    waitForText(By.cssSelector("tr[data-service=latecomer] .count"), "0");
  }

  @Test
  void servicePageShowsInstancesReadinessEndpointsAndCharts() {
    screenshot = "console-service";
    for (int i = 0; i < 5; i++) {
      assertThat(post("/greeter/SayHello", "{\"name\":\"chart\"}").statusCode()).isEqualTo(200);
    }
    open("#/service/greeter");
    waitForText(By.id("instances"), "UP");
    assertThat(browser.findElement(By.id("instances")).getText())
        .contains("rsocket")
        .contains("admin-port=");
    assertThat(browser.findElement(By.id("endpoints")).getText())
        .contains(GREETER + "/SayHello")
        .contains("UNARY")
        .contains(GREETER + "/LotsOfReplies")
        .contains("SERVER_STREAM");
    post("/greeter/SayHello", "{\"name\":\"chart\"}");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(browser.findElements(By.cssSelector("#charts svg polyline")))
                    .isNotEmpty());
    assertThat(browser.findElement(By.id("charts")).getText()).contains("calls/s").contains("p99");
  }

  @Test
  void endpointFormCallsSayHelloFromTheKeyboard() {
    screenshot = "console-endpoint";
    open("#/call/greeter/" + GREETER + "/SayHello");
    WebElement body = waitFor(By.id("body"));
    await().atMost(WAIT).until(() -> body.getAttribute("value").contains("\"name\""));
    assertThat(browser.switchTo().activeElement()).isEqualTo(body);
    type(body, "{\"name\": \"Ada\"}");
    body.sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
    waitForText(By.id("reply"), "Hello, Ada!");
    assertThat(browser.findElement(By.id("status")).getText()).startsWith("200 OK").endsWith("ms");
  }

  @Test
  void serverStreamShowsEachMessageAsItArrives() {
    screenshot = "console-stream";
    Sinks.Many<HelloReply> replies = Sinks.many().unicast().onBackpressureBuffer();
    IMPL.controlled = replies;
    try {
      open("#/call/greeter/" + GREETER + "/LotsOfReplies");
      type(waitFor(By.id("body")), "{\"name\": \"controlled\"}");
      browser.findElement(By.id("send")).click();
      waitForText(By.id("status"), "streaming");
      replies.tryEmitNext(HelloReply.newBuilder().setMessage("first").build());
      waitForText(By.id("messages"), "first");
      assertThat(browser.findElements(By.cssSelector("#messages li"))).hasSize(1);
      assertThat(browser.findElement(By.id("status")).getText()).contains("1 message");
      replies.tryEmitNext(HelloReply.newBuilder().setMessage("second").build());
      waitForText(By.id("messages"), "second");
      replies.tryEmitNext(HelloReply.newBuilder().setMessage("third").build());
      replies.tryEmitComplete();
      waitForText(By.id("status"), "3 messages");
      assertThat(browser.findElements(By.cssSelector("#messages li"))).hasSize(3);
      assertThat(browser.findElement(By.id("status")).getText()).startsWith("200 OK");
    } finally {
      IMPL.controlled = null;
    }
  }

  @Test
  void badJsonShowsTheGatewaysError() {
    screenshot = "console-bad-json";
    open("#/call/greeter/" + GREETER + "/SayHello");
    type(waitFor(By.id("body")), "{\"name\": ");
    browser.findElement(By.id("send")).click();
    waitForText(By.id("status"), "400");
    waitForText(By.id("reply"), "INVALID_ARGUMENT");
    assertThat(browser.findElement(By.id("reply")).getText())
        .contains("bad JSON for vireo.gateway.console.test.HelloRequest");
  }

  @Test
  void sharedLinkReopensTheSameRequest() {
    screenshot = "console-shared-link";
    open("#/call/greeter/" + GREETER + "/SayHello");
    type(waitFor(By.id("body")), "{\"name\": \"Grace\"}");
    type(browser.findElement(By.id("headers")), "x-tenant: acme");
    type(browser.findElement(By.id("timeout")), "3s");
    String link = browser.findElement(By.id("share")).getAttribute("value");
    assertThat(link).contains("/console/#/call/greeter/");

    browser.get("about:blank");
    browser.get(link);
    WebElement body = waitFor(By.id("body"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(body.getAttribute("value")).isEqualTo("{\"name\": \"Grace\"}"));
    assertThat(browser.findElement(By.id("headers")).getAttribute("value"))
        .isEqualTo("x-tenant: acme");
    assertThat(browser.findElement(By.id("timeout")).getAttribute("value")).isEqualTo("3s");
    browser.findElement(By.id("send")).click();
    waitForText(By.id("reply"), "Hello, Grace!");
  }

  @Test
  void eventsPagePublishesAKnownMessageType() {
    screenshot = "console-events";
    open("#/events");
    WebElement topic = waitFor(By.id("topic"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                browser
                        .findElements(
                            By.cssSelector(
                                "#type option[value='vireo.gateway.console.test.Greeted']"))
                        .size()
                    == 1);
    type(topic, "greeted");
    new Select(browser.findElement(By.id("type")))
        .selectByValue("vireo.gateway.console.test.Greeted");
    WebElement body = browser.findElement(By.id("event-body"));
    await().atMost(WAIT).until(() -> body.getAttribute("value").contains("\"name\""));
    type(body, "{\"name\": \"Lin\"}");
    browser.findElement(By.id("publish")).click();
    waitForText(By.id("event-status"), "202");
    await().atMost(WAIT).until(() -> GREETED.stream().anyMatch(e -> e.getName().equals("Lin")));
  }

  static HttpResponse<String> post(String path, String body) {
    try {
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .build()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                  .timeout(WAIT)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
