package dev.kerasj.cli;

import dev.kerasj.saving.KerasjException;

/** A command cannot do what was asked (unknown format, missing option, refused overwrite); printed as one line. */
public class CliException extends KerasjException {
  public CliException(String message) {
    super(message);
  }
}
