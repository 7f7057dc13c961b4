@NullMarked
package io.vireo.internal.config;

import org.jspecify.annotations.NullMarked;
