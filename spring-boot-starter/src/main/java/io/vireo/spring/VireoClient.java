package io.vireo.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a client of another Vireo service into a field, or into a constructor or {@code @Bean}
 * method parameter.
 *
 * <pre>{@code
 * @Component
 * class Welcome {
 *   @VireoClient("greeter") Greeter greeter;
 * }
 * }</pre>
 *
 * The client may be called once the application's Vireo service has started (Spring's lifecycle
 * start, after the context refreshed); a call before that fails with {@code FAILED_PRECONDITION}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
public @interface VireoClient {
  /**
   * The service's name in the registry, such as {@code greeter}; {@code ${...}} placeholders are
   * resolved.
   */
  String value();
}
