/**
 * The {@code vireo} command line: {@code services}, {@code describe}, {@code call}, {@code
 * publish}, {@code subscribe}, {@code health}, {@code offline}/{@code online} and {@code new}.
 * Entry point {@link io.vireo.cli.Main}; everything else is package-private.
 */
@NullMarked
package io.vireo.cli;

import org.jspecify.annotations.NullMarked;
