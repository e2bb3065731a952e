/**
 * The {@code kerasj} command line: {@code inspect}, {@code verify}, {@code convert} and {@code train}, over the
 * formats of {@link dev.kerasj.saving.FileFormat} (the one place a new format is added). Entry point:
 * {@link dev.kerasj.cli.Kerasj}; run {@code java -jar target/kerasj.jar help} after {@code mvn package}.
 */
package dev.kerasj.cli;
