@NullMarked
package io.vireo.config;

import org.jspecify.annotations.NullMarked;
