package io.vireo.spring.internal;

import io.vireo.spring.VireoClient;
import io.vireo.spring.VireoClients;
import java.lang.annotation.Annotation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.AutowireCandidateResolver;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.annotation.ContextAnnotationAutowireCandidateResolver;

/**
 * Resolves {@link VireoClient} constructor and {@code @Bean} method parameters (and
 * {@code @Autowired} fields) to clients; everything else as Spring's annotation resolver does
 * ({@code @Qualifier}, {@code @Value}, {@code @Lazy}), which it extends.
 */
public final class VireoClientResolver extends ContextAnnotationAutowireCandidateResolver {
  private static final Logger log = LoggerFactory.getLogger(VireoClientResolver.class);
  private @Nullable BeanFactory beans;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    super.setBeanFactory(beanFactory);
    this.beans = beanFactory;
  }

  @Override
  public @Nullable Object getSuggestedValue(DependencyDescriptor descriptor) {
    for (Annotation annotation : descriptor.getAnnotations()) {
      if (annotation instanceof VireoClient client && beans != null) {
        return beans
            .getBean(VireoClients.class)
            .client(VireoClientInjector.serviceName(beans, client), descriptor.getDependencyType());
      }
    }
    return super.getSuggestedValue(descriptor);
  }

  /** Installs the resolver, when the bean factory still has Spring's annotation resolver. */
  public static BeanFactoryPostProcessor installer() {
    return VireoClientResolver::install;
  }

  private static void install(ConfigurableListableBeanFactory beanFactory) {
    if (beanFactory instanceof DefaultListableBeanFactory factory) {
      AutowireCandidateResolver current = factory.getAutowireCandidateResolver();
      if (current.getClass() == ContextAnnotationAutowireCandidateResolver.class) {
        factory.setAutowireCandidateResolver(new VireoClientResolver());
      } else if (!(current instanceof VireoClientResolver)) {
        log.warn(
            "the bean factory resolves dependencies with {}: @VireoClient works on fields, not on parameters"
                + " (inject VireoClients there)",
            current.getClass().getName());
      }
    }
  }
}
