/** The Spring Boot sample: {@link io.vireo.samples.spring.SpringGreeterApplication}. */
@NullMarked
package io.vireo.samples.spring;

import org.jspecify.annotations.NullMarked;
