package io.vireo.samples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The Spring Boot sample: registered as {@code spring-greeter}, it serves the greeter's interface
 * by asking the plain-Java {@code greeter} (the samples jar's {@code greeter} command) and relaying
 * its answers, and it hears the {@code user.greeted} events.
 *
 * <pre>
 * java -jar samples/target/vireo-samples.jar greeter &amp;
 * java -jar samples/spring-boot/target/vireo-samples-spring-boot.jar
 * </pre>
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({RelayingGreeter.class, GreetingLog.class})
public class SpringGreeterApplication {
  public static void main(String[] args) {
    SpringApplication.run(SpringGreeterApplication.class, args);
  }
}
