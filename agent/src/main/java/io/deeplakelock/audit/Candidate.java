package io.deeplakelock.audit;

/**
 * One method that discovery instruments in its second pass, to see the arguments and receiver of
 * the calls that touch dataset files: its class, name and descriptor.
 */
public final class Candidate {

  final int id;
  final String className;
  final String method;
  final String descriptor;
  final String parameters; // Java type names, comma-separated, as a rules file writes them
  final int overloads; // methods of that name the class declares

  public Candidate(
      int id,
      String className,
      String method,
      String descriptor,
      String parameters,
      int overloads) {
    this.id = id;
    this.className = className;
    this.method = method;
    this.descriptor = descriptor;
    this.parameters = parameters;
    this.overloads = overloads;
  }
}
