package io.vireo.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean whose handler interfaces the application's Vireo service serves.
 *
 * <pre>{@code
 * @VireoService
 * class GreeterImpl implements Greeter { ... }   // Greeter carries @RpcService, or is its only interface
 * }</pre>
 *
 * Without {@link #value()}, the bean's interfaces annotated {@link io.vireo.RpcService} are served;
 * a bean with none of those is served through its only interface. A bean with several unannotated
 * interfaces names the ones to serve.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface VireoService {
  /** The handler interfaces to serve; empty: as described above. */
  Class<?>[] value() default {};
}
