package io.vireo.spring.internal;

import io.vireo.spring.VireoClient;
import io.vireo.spring.VireoClients;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.springframework.beans.PropertyValues;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/** Sets {@link VireoClient} fields, before the bean's init methods run. */
public final class VireoClientInjector
    implements InstantiationAwareBeanPostProcessor, BeanFactoryAware {
  /** The annotation's service name, with {@code ${...}} placeholders resolved. */
  static String serviceName(BeanFactory beans, VireoClient client) {
    if (beans instanceof ConfigurableBeanFactory configurable) {
      String resolved = configurable.resolveEmbeddedValue(client.value());
      if (resolved != null) {
        return resolved;
      }
    }
    return client.value();
  }

  private BeanFactory beans;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beans = beanFactory;
  }

  @Override
  public PropertyValues postProcessProperties(PropertyValues values, Object bean, String beanName) {
    Class<?> type = ClassUtils.getUserClass(bean);
    ReflectionUtils.doWithFields(
        type,
        field -> inject(bean, beanName, field),
        field -> field.isAnnotationPresent(VireoClient.class));
    return values;
  }

  private void inject(Object bean, String beanName, Field field) {
    if (Modifier.isStatic(field.getModifiers())) {
      throw new IllegalStateException(
          "@VireoClient on static field "
              + field
              + " of bean '"
              + beanName
              + "' (expected: an instance field)");
    }
    VireoClient client = field.getAnnotation(VireoClient.class);
    ReflectionUtils.makeAccessible(field);
    ReflectionUtils.setField(
        field,
        bean,
        beans.getBean(VireoClients.class).client(serviceName(beans, client), field.getType()));
  }
}
